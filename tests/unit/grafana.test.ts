/** The shipped Grafana dashboard (docs/grafana-qtask.json) asks only for metrics GET /api/metrics exports. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

describe("docs/grafana-qtask.json", () => {
  it("is a dashboard whose every query names an exported metric", () => {
    const dash = JSON.parse(fs.readFileSync(path.join(root, "docs/grafana-qtask.json"), "utf8")) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const source = fs.readFileSync(path.join(root, "src/server/metrics.ts"), "utf8");
    const exported = new Set([...source.matchAll(/name: "(qtask_[a-z_]+)"/g)].map((m) => m[1]));
    expect(exported.size).toBeGreaterThan(10);
    expect(dash.panels.length).toBeGreaterThan(10);
    for (const p of dash.panels)
      for (const t of p.targets)
        for (const [name] of t.expr.matchAll(/qtask_[a-z_]+/g)) expect(exported, `${p.title}: ${name}`).toContain(name.replace(/_(bucket|sum|count)$/, ""));
  });
});
