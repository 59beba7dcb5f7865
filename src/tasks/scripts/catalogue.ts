/**
 * Reading the script types from the server's catalogue file (config/tasks.yaml, or the file
 * QTASK_TASKS_FILE names): its `scripts:` section, every problem reported with its line. Only
 * this file declares programs: no API call creates or changes a command line, and the
 * schedules import refuses a document with a `scripts:` section (src/server/schedule/catalogue.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";
import { ScriptEntry, type ScriptSpec } from "./spec";

/** Where the catalogue file is (QTASK_TASKS_FILE overrides config/tasks.yaml), relative to `root`. */
export function catalogueFile(root = process.cwd()): string {
  return path.resolve(/* turbopackIgnore: true */ root, process.env.QTASK_TASKS_FILE || path.join("config", "tasks.yaml"));
}

/** One thing wrong with the `scripts:` section, with where it is. */
export interface ScriptProblem {
  line: number | null;
  path: string;
  message: string;
}

/** A `scripts:` section that cannot be used; the message names the file, the first problem's line, and how many more there are. */
export class ScriptCatalogueError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScriptProblem[],
  ) {
    const p = problems[0];
    super(
      `${file}${p.line !== null ? `:${p.line}` : ""}: ${p.path ? `${p.path}: ` : ""}${p.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
    );
    this.name = "ScriptCatalogueError";
  }
}

const Section = z.object({ scripts: z.array(ScriptEntry).max(500).default([]) }).loose();

/**
 * The script types of catalogue text: [] without a `scripts:` section; throws
 * ScriptCatalogueError with every problem and its line. `builtIn` are the names a script may
 * not take.
 */
export function parseScripts(text: string, file: string, builtIn: ReadonlySet<string>): ScriptSpec[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0)
    throw new ScriptCatalogueError(
      file,
      doc.errors.map((e) => ({ line: lineCounter.linePos(e.pos[0]).line, path: "", message: e.message.split("\n")[0] })),
    );
  const lineOf = (p: (string | number)[]): number | null => {
    // The deepest node that exists on the path (a missing key is reported at its parent).
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as Node | undefined;
      if (node && (isMap(node) || isScalar(node) || "range" in node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return null;
  };
  const parsed = Section.safeParse(doc.toJS({ maxAliasCount: 100 }) ?? {});
  if (!parsed.success)
    throw new ScriptCatalogueError(
      file,
      parsed.error.issues.map((i) => ({ line: lineOf(i.path as (string | number)[]), path: i.path.join("."), message: i.message })),
    );
  const problems: ScriptProblem[] = [];
  const seen = new Set<string>();
  parsed.data.scripts.forEach((s, i) => {
    const at = ["scripts", i, "name"];
    if (builtIn.has(s.name)) problems.push({ line: lineOf(at), path: at.join("."), message: `${s.name} is a built-in task type` });
    else if (seen.has(s.name)) problems.push({ line: lineOf(at), path: at.join("."), message: `the name ${s.name} is used twice` });
    seen.add(s.name);
  });
  if (problems.length > 0) throw new ScriptCatalogueError(file, problems);
  return parsed.data.scripts;
}

/** The script types of the catalogue file ([] when there is no file). */
export function readScripts(builtIn: ReadonlySet<string>, file = catalogueFile()): ScriptSpec[] {
  if (!fs.existsSync(file)) return [];
  const shown = path.relative(process.cwd(), file);
  return parseScripts(fs.readFileSync(file, "utf8"), shown && !shown.startsWith("..") ? shown : file, builtIn);
}
