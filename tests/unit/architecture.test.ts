/**
 * The shape of src/, checked on every `npm test`: no import cycles (static, dynamic and
 * type-only imports all count: a type cycle is a design cycle), each layer imports only the
 * layers below it, and no module grows past MAX_LINES without saying why. The import graph is
 * read with TypeScript's own pre-processor, so it sees exactly the specifiers the compiler does.
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = path.resolve("src");
/** A module longer than this must state why in its opening comment ("Over 300 lines: …"). */
const MAX_LINES = 300;

/** Every source file under src/ except the generated Prisma clients. */
function sourceFiles(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sourceFiles(p);
    return /\.(ts|tsx|mts|mjs)$/.test(e.name) ? [p] : [];
  });
}

const CANDIDATES = ["", ".ts", ".tsx", ".mts", ".mjs", "/index.ts", "/index.tsx"];

/** The file an import specifier names, or null for packages (and the generated clients). */
function resolve(from: string, spec: string): string | null {
  const base = spec.startsWith("@/") ? path.join(SRC, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : null;
  if (base === null || base.includes(`${path.sep}generated${path.sep}`)) return null;
  for (const ext of CANDIDATES) {
    const p = base + ext;
    if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  }
  throw new Error(`${rel(from)} imports ${spec}, which does not resolve to a file`);
}

/** A module's opening doc comment (after a "use client" directive), where its reason for its size belongs. */
const openingComment = (text: string) => text.slice(0, text.indexOf("*/") + 2);
const lineCount = (text: string) => text.trimEnd().split("\n").length;
const rel = (p: string) => path.relative(SRC, p).split(path.sep).join("/");
/** The top folder of a module under src/ ("queue", "app", …; "." for files at the top). */
const layerOf = (p: string) => (rel(p).includes("/") ? rel(p).split("/")[0] : ".");

/** Module → the modules it imports (static, dynamic and type-only). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles()) {
    const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
    const deps = info.importedFiles.map((i) => resolve(file, i.fileName)).filter((d): d is string => d !== null);
    graph.set(file, [...new Set(deps)]);
  }
  return graph;
}

/** The strongly connected components with more than one module (or a self-import): each is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.map(rel).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/**
 * What each layer may import besides itself. Route handlers and pages reach everything through
 * src/server (the API's one door); db is the ground floor; contracts are plain zod, shared by
 * server, client and tests; client code runs in the browser and never sees the server's modules.
 */
const MAY_IMPORT: Record<string, string[]> = {
  app: ["server", "contracts", "client"],
  client: ["contracts"],
  contracts: [],
  db: [],
  queue: ["db"],
  worker: ["queue", "db", "schedule", "alerts"],
  tasks: ["queue", "db", "domain", "contracts", "alerts"],
  alerts: ["contracts", "queue", "db", "schedule", "domain"],
  domain: ["contracts", "db"],
  demo: ["domain", "queue", "db", "contracts"],
  schedule: ["domain", "queue", "db"],
  server: ["queue", "db", "domain", "tasks", "contracts", "demo", "schedule", "alerts"],
  ".": ["queue", "db", "worker", "tasks"],
};

/** Imports that cross from a layer into one it may not import. */
function breaches(g: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [file, deps] of g) {
    const layer = layerOf(file);
    for (const d of deps) {
      const to = layerOf(d);
      if (to !== layer && !(MAY_IMPORT[layer] ?? []).includes(to)) wrong.push(`${rel(file)} → ${rel(d)}`);
    }
  }
  return wrong;
}

const graph = importGraph();

describe("architecture of src/", () => {
  it("reads the whole tree", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(Object.keys(MAY_IMPORT).sort()).toEqual([...new Set([...graph.keys()].map(layerOf))].sort());
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("keeps every layer to the layers it may import", () => {
    expect(breaches(graph)).toEqual([]);
  });

  it("has no module over 300 lines that does not say why", () => {
    const long = [...graph.keys()]
      .map((f) => ({ f: rel(f), text: fs.readFileSync(f, "utf8") }))
      .filter(({ text }) => lineCount(text) > MAX_LINES && !/Over 300 lines:/.test(openingComment(text)))
      .map(({ f, text }) => `${f} (${lineCount(text)} lines)`);
    expect(long).toEqual([]);
  });

  // The checks above must be able to fail: a tiny graph with a cycle and a layer breach.
  it("finds a cycle when there is one", () => {
    const a = path.join(SRC, "x/a.ts");
    const b = path.join(SRC, "x/b.ts");
    expect(
      cycles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([["x/a.ts", "x/b.ts"]]);
  });

  it("finds a route handler that reaches past src/server, and the database layer reaching up", () => {
    const route = path.join(SRC, "app/api/x/route.ts");
    expect(
      breaches(
        new Map([
          [route, [path.join(SRC, "queue/enqueue.ts"), path.join(SRC, "server/tasks.ts")]],
          [path.join(SRC, "db/client.ts"), [path.join(SRC, "queue/sql/executor.ts")]],
        ]),
      ),
    ).toEqual(["app/api/x/route.ts → queue/enqueue.ts", "db/client.ts → queue/sql/executor.ts"]);
  });
});
