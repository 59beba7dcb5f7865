/** Typed result views (src/contracts/resultView.ts): declarations, filters, and the built-in and script types' views. */
import { describe, expect, it } from "vitest";
import { parseColumnFilter, ResultColumn, ResultView, tagItems, valueAt } from "@/contracts/resultView";
import { registry, resultViewOf } from "@/tasks";
import { BUILT_IN_VIEWS } from "@/tasks/views";
import { parseScripts, ScriptCatalogueError } from "@/tasks/scripts";
import { scriptView } from "@/tasks/scripts/spec";

const col = (c: Record<string, unknown>) => ResultColumn.parse({ field: "f", title: "f", ...c });

describe("declarations", () => {
  it("every built-in type declares a view, and only built-in types are in the table", () => {
    const builtIn = registry.list().filter((d) => !("script" in d));
    expect(builtIn.map((d) => d.name).sort()).toEqual(Object.keys(BUILT_IN_VIEWS).sort());
    for (const d of builtIn) expect(resultViewOf(d.name), d.name).toBeDefined();
    // The data-heavy types read as data: their rows have typed columns.
    for (const name of ["signals_batch", "strategy_screen", "backtest", "realtime_quotes_sync", "capital_flow_sync"])
      expect(BUILT_IN_VIEWS[name].columns.length, name).toBeGreaterThan(2);
  });

  it("refuses options of another kind, a link without a target, a nested row field, a field twice", () => {
    expect(() => col({ kind: "text", digits: 2 })).toThrow(/digits is for/);
    expect(() => col({ kind: "link" })).toThrow(/fund, task or run/);
    expect(() => col({ kind: "number", colors: { a: "red" } })).toThrow(/colors is for/);
    expect(() => col({ kind: "tags", colors: { a: "pink-ish" } })).toThrow();
    expect(() => ResultView.parse({ columns: [{ field: "a.b", title: "x", kind: "text" }] })).toThrow(/top-level/);
    expect(() =>
      ResultView.parse({
        columns: [
          { field: "a", title: "x", kind: "text" },
          { field: "a", title: "y", kind: "number" },
        ],
      }),
    ).toThrow(/twice/);
    // The opening order names a sortable column.
    expect(() => ResultView.parse({ columns: [{ field: "a", title: "x", kind: "tags" }], sort: { field: "a" } })).toThrow(/sort names/);
    expect(() => ResultView.parse({ columns: [{ field: "a", title: "x", kind: "number" }], sort: { field: "b" } })).toThrow(/sort names/);
    expect(ResultView.parse({ columns: [{ field: "a", title: "x", kind: "number" }], sort: { field: "a" } }).sort).toEqual({
      field: "a",
      order: "asc",
    });
    expect(BUILT_IN_VIEWS.strategy_screen.sort).toEqual({ field: "rank", order: "asc" });
    // A summary may reach into the result.
    expect(ResultView.parse({ summary: [{ field: "metrics.sharpe", title: "夏普", kind: "number" }] }).summary[0].title).toEqual({
      zh: "夏普",
      en: "夏普",
    });
  });
});

describe("column filters", () => {
  it("ranges by kind, in the stored unit; either side may be open", () => {
    expect(parseColumnFilter(col({ kind: "percent" }), "0.1..0.25")).toEqual({ field: "f", op: "range", min: 0.1, max: 0.25 });
    expect(parseColumnFilter(col({ kind: "number" }), "-5..")).toEqual({ field: "f", op: "range", min: -5, max: null });
    expect(parseColumnFilter(col({ kind: "date" }), "..2024-06-30")).toEqual({ field: "f", op: "range", min: null, max: "2024-06-30" });
    expect(parseColumnFilter(col({ kind: "money" }), "abc..1")).toMatch(/numbers/);
    expect(parseColumnFilter(col({ kind: "date" }), "2024-1-1..")).toMatch(/YYYY-MM-DD/);
    expect(parseColumnFilter(col({ kind: "number" }), "..")).toMatch(/min, max or both/);
    expect(parseColumnFilter(col({ kind: "number" }), "5")).toMatch(/min\.\.max/);
  });

  it("tags any-of (inside an array of objects by the item field), text contains, no sparkline filter", () => {
    const signals = BUILT_IN_VIEWS.signals_batch.columns.find((c) => c.field === "signals")!;
    expect(parseColumnFilter(signals, "buy, sell")).toEqual({ field: "signals", op: "in", values: ["buy", "sell"], item: "direction" });
    expect(parseColumnFilter(col({ kind: "tags" }), " , ")).toMatch(/one to 50/);
    expect(parseColumnFilter(col({ kind: "text" }), "  AbC ")).toEqual({ field: "f", op: "contains", text: "abc" });
    expect(parseColumnFilter(col({ kind: "sparkline" }), "1..2")).toMatch(/cannot be filtered/);
  });
});

describe("values", () => {
  it("valueAt follows a dotted path; tagItems words by language", () => {
    expect(valueAt({ metrics: { sharpe: 1.5 } }, "metrics.sharpe")).toBe(1.5);
    expect(valueAt({ metrics: null }, "metrics.sharpe")).toBeUndefined();
    const c = col({ kind: "tags", colors: { true: "orange" }, labels: { true: { zh: "无净值", en: "No NAV" } }, hide_others: true });
    expect(tagItems(c, true, "en")).toEqual([{ value: "true", text: "No NAV", detail: null }]);
    expect(tagItems(c, false, "en")).toEqual([]);
  });
});

describe("script types", () => {
  const yaml = (columns: string) => `scripts:
  - name: nightly
    title: nightly
    command: [python3, jobs/nightly.py]
${columns}`;

  it("declare columns and a summary in YAML, titles given once or in both languages", () => {
    const [spec] = parseScripts(
      yaml(`    columns:
      - { field: code, title: 代码, kind: link, link: fund }
      - { field: ret, title: { zh: 收益, en: Return }, kind: percent, signed: true }
    more: true
    sort: { field: ret, order: desc }
    summary:
      - { field: stats.rows, title: 行数, kind: number }
`),
      "tasks.yaml",
      new Set(),
    );
    const view = scriptView(spec)!;
    expect(view.columns.map((c) => [c.field, c.kind, c.title.en])).toEqual([
      ["code", "link", "代码"],
      ["ret", "percent", "Return"],
    ]);
    expect(view.more).toBe(true);
    expect(view.sort).toEqual({ field: "ret", order: "desc" });
    expect(view.summary[0].field).toBe("stats.rows");
    expect(scriptView(parseScripts(yaml(""), "tasks.yaml", new Set())[0])).toBeUndefined();
  });

  it("a bad column is reported at its line", () => {
    try {
      parseScripts(
        yaml(`    columns:
      - { field: code, title: 代码, kind: link }
`),
        "tasks.yaml",
        new Set(),
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScriptCatalogueError);
      const p = (err as ScriptCatalogueError).problems[0];
      expect(p.line).toBe(6);
      expect(p.message).toMatch(/fund, task or run/);
    }
  });
});
