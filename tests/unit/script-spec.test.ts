/** Script declarations (src/tasks/scripts/spec.ts, catalogue.ts): params, argv, and line-located problems. */
import { describe, expect, it } from "vitest";
import { parseScripts, ScriptCatalogueError } from "@/tasks/scripts";
import { argvOf, payloadSchemaOf, ScriptEntry } from "@/tasks/scripts/spec";

const entry = (extra: Record<string, unknown> = {}) =>
  ScriptEntry.parse({
    name: "daily_job",
    title: "daily",
    command: ["python3", "jobs/daily.py", "--date", "{date}", "--mode={mode}", "{word}", "{n}"],
    params: {
      date: { type: "date", required: true },
      mode: { type: "enum", values: ["fast", "full"], default: "fast" },
      word: { type: "string", default: "x", secret: true },
      n: { type: "integer", default: 1, min: 0 },
    },
    ...extra,
  });

function problems(text: string) {
  try {
    parseScripts(text, "tasks.yaml", new Set(["noop"]));
  } catch (err) {
    if (err instanceof ScriptCatalogueError) return err.problems;
    throw err;
  }
  return [];
}

describe("script params", () => {
  it("become the payload schema: types, defaults, required, and nothing else", () => {
    const schema = payloadSchemaOf(entry().params);
    expect(schema.parse({ date: "2024-05-06" })).toEqual({ date: "2024-05-06", mode: "fast", word: "x", n: 1 });
    for (const bad of [
      {},
      { date: "2024-13-01" },
      { date: "2024-05-06", mode: "slow" },
      { date: "2024-05-06", n: 1.5 },
      { date: "2024-05-06", other: 1 },
    ])
      expect(schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it("refuse values that would read as options, unless the param allows it", () => {
    const schema = payloadSchemaOf(entry().params);
    expect(schema.safeParse({ date: "2024-05-06", word: "--config=/etc/passwd" }).success).toBe(false);
    expect(schema.safeParse({ date: "2024-05-06", n: -1 }).success).toBe(false);
    const dash = payloadSchemaOf({ v: ScriptEntry.shape.params.parse({ v: { type: "number", required: true, allow_dash: true } }).v });
    expect(dash.parse({ v: -1 })).toEqual({ v: -1 });
  });

  it("go into argv as whole elements; secret ones masked where shown", () => {
    const spec = entry();
    const payload = payloadSchemaOf(spec.params).parse({ date: "2024-05-06", word: "a b; rm -rf /" });
    expect(argvOf(spec, payload)).toEqual(["python3", "jobs/daily.py", "--date", "2024-05-06", "--mode=fast", "a b; rm -rf /", "1"]);
    expect(argvOf(spec, payload, true)[5]).toBe("***");
  });
});

describe("the scripts: section", () => {
  it("reads valid entries with their defaults", () => {
    const [s] = parseScripts("scripts:\n  - name: job\n    title: Job\n    command: [sh, job.sh]\n", "tasks.yaml", new Set());
    expect(s).toMatchObject({ queue: "scripts", category: "scripts", max_attempts: 1, kill_grace_ms: 10_000, role: "operator", env_from: [] });
  });

  it("names the line of each problem", () => {
    const text = [
      "scripts:", //                                            1
      "  - name: noop", //                                      2
      "    title: clash", //                                    3
      "    command: [sh, x.sh]", //                             4
      "  - name: two", //                                       5
      "    title: t", //                                        6
      "    command: [sh, '{missing}', '{opt}']", //             7
      "    params:", //                                         8
      "      opt: { type: string }", //                         9
      "  - name: three", //                                    10
      "    title: t", //                                       11
      "    command: ['{prog}']", //                            12
      "    params: { prog: { type: string, required: true } }", // 13
      "    kill_grace_ms: 60000", //                           14
    ].join("\n");
    const found = problems(text).map((p) => [p.line, p.path, p.message]);
    expect(found).toEqual(
      expect.arrayContaining([
        [7, "scripts.1.command.1", "{missing} names no param"],
        [7, "scripts.1.command.2", "{opt} is used in the command, so the param must be required or have a default"],
        [12, "scripts.2.command.0", "the program itself cannot come from a param"],
        [14, "scripts.2.kill_grace_ms", expect.stringContaining("20000")],
      ]),
    );
    // A built-in name is checked once the entries themselves are valid.
    expect(problems("scripts:\n  - name: noop\n    title: t\n    command: [sh]\n")).toEqual([
      { line: 2, path: "scripts.0.name", message: "noop is a built-in task type" },
    ]);
  });
});
