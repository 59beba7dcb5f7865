/**
 * The figures: what each measures, its unit and target, the results per database, the printed
 * table and the JSON file (bench/results/<timestamp>.json and bench/results/latest.json).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Provider } from "./db";
import { fmt, summarize, type Summary } from "./stats";
import { root } from "./procs";

export type Phase = "enqueue" | "drain" | "latency" | "api" | "signals" | "memory" | "research" | "events";
export const PHASES: Phase[] = ["enqueue", "drain", "latency", "api", "signals", "memory", "research", "events"];

interface Target {
  /** "min": at least; "max": at most. */
  kind: "min" | "max";
  sqlite?: number;
  postgres?: number;
}

export interface FigureDef {
  id: string;
  phase: Phase;
  label: string;
  unit: string;
  target?: Target;
}

export interface FigureResult extends Summary {
  /** Anything else worth keeping (per-repetition details, sample counts, settings). */
  details?: unknown;
}

const both = (kind: "min" | "max", v: number): Target => ({ kind, sqlite: v, postgres: v });

export const API_ENDPOINTS = [
  { key: "overview", label: "GET /api/tasks/overview" },
  { key: "list_first", label: "GET /api/tasks (first page)" },
  { key: "list_deep", label: "GET /api/tasks (deep cursor)" },
  { key: "list_filtered", label: "GET /api/tasks?status=failed&type=backtest" },
  { key: "list_finished", label: "GET /api/tasks?status=succeeded,failed,cancelled" },
  { key: "runs_filtered", label: "GET /api/tasks/runs?type=fund_nav_sync&status=failed" },
  { key: "schedule_runs", label: "GET /api/tasks/runs?schedule_id=1" },
  { key: "logs_deep", label: "GET …/runs/{id}/logs?after_seq=high" },
  { key: "signals_deep", label: "GET …/signals/batch_async/{id}?page=deep" },
  { key: "results_deep", label: "GET /api/tasks/{id}/results?page=deep" },
  { key: "results_filtered", label: "GET /api/tasks/{id}/results?filter…&sort… (typed columns)" },
  { key: "trends_fleet", label: "GET /api/tasks/trends?days=90 (fleet, daily roll-up)" },
] as const;

export const FIGURES: FigureDef[] = [
  { id: "enqueue.engine_single", phase: "enqueue", label: "enqueue one at a time, engine API", unit: "tasks/s" },
  {
    id: "enqueue.engine_bulk",
    phase: "enqueue",
    label: "enqueue bulk, engine API (enqueueMany)",
    unit: "tasks/s",
    target: { kind: "min", sqlite: 100_000, postgres: 50_000 },
  },
  { id: "enqueue.http_single", phase: "enqueue", label: "enqueue one at a time, POST /api/tasks", unit: "tasks/s" },
  { id: "enqueue.http_bulk", phase: "enqueue", label: "enqueue bulk, POST /api/tasks/batch", unit: "tasks/s" },
  {
    id: "drain.c10",
    phase: "drain",
    label: "drain noop, 1 worker, concurrency 10",
    unit: "tasks/s",
    target: { kind: "min", sqlite: 20_000, postgres: 17_000 },
  },
  {
    id: "drain.c50",
    phase: "drain",
    label: "drain noop, 1 worker, concurrency 50",
    unit: "tasks/s",
    target: { kind: "min", sqlite: 20_000, postgres: 22_000 },
  },
  {
    id: "drain.limited_c10",
    phase: "drain",
    label: "drain noop, 1 worker, concurrency 10, queue with max_running 10 (the limited claim)",
    unit: "tasks/s",
  },
  {
    id: "latency.idle.p50",
    phase: "latency",
    label: "latency enqueue→start, idle worker, p50",
    unit: "ms",
    target: { kind: "max", sqlite: 5, postgres: 3 },
  },
  { id: "latency.idle.p95", phase: "latency", label: "latency enqueue→start, idle worker, p95", unit: "ms" },
  { id: "latency.idle.p99", phase: "latency", label: "latency enqueue→start, idle worker, p99", unit: "ms" },
  { id: "latency.busy.p50", phase: "latency", label: "latency enqueue→start, busy worker, p50", unit: "ms" },
  { id: "latency.busy.p95", phase: "latency", label: "latency enqueue→start, busy worker, p95", unit: "ms" },
  { id: "latency.busy.p99", phase: "latency", label: "latency enqueue→start, busy worker, p99", unit: "ms" },
  ...API_ENDPOINTS.flatMap((e): FigureDef[] => [
    { id: `api.${e.key}.p50`, phase: "api", label: `${e.label} p50`, unit: "ms" },
    { id: `api.${e.key}.p95`, phase: "api", label: `${e.label} p95`, unit: "ms", target: both("max", 50) },
  ]),
  { id: "memory.web_peak", phase: "api", label: "web server peak RSS during the API figures", unit: "MB" },
  { id: "signals.job1", phase: "signals", label: "signals_batch all demo funds, JOB_NUM=1", unit: "s" },
  { id: "signals.job2", phase: "signals", label: "signals_batch all demo funds, JOB_NUM=2", unit: "s", target: both("max", 5) },
  { id: "memory.worker_peak", phase: "memory", label: "worker peak RSS draining noop tasks", unit: "MB", target: both("max", 300) },
  { id: "research.backtests", phase: "research", label: "real backtests of a sweep, 1 worker, JOB_NUM=2", unit: "tasks/s" },
  { id: "research.sweep_create", phase: "research", label: "POST /api/backtests/sweeps, 10,000 tasks, one transaction", unit: "ms" },
  { id: "research.sweep_page.p50", phase: "research", label: "GET /api/backtests/sweeps/{id}, 10,000 runs, p50", unit: "ms" },
  { id: "research.sweep_page.p95", phase: "research", label: "GET /api/backtests/sweeps/{id}, 10,000 runs, p95", unit: "ms" },
  { id: "research.history.p50", phase: "research", label: "GET /api/backtests/batches with a 10,000-run sweep, p50", unit: "ms" },
  { id: "research.history.p95", phase: "research", label: "GET /api/backtests/batches with a 10,000-run sweep, p95", unit: "ms" },
  { id: "events.drain_plain", phase: "events", label: "drain noop, c=10, no event stream open", unit: "tasks/s" },
  { id: "events.drain_streams", phase: "events", label: "drain noop, c=10, 50 streams watching tasks+overview", unit: "tasks/s" },
  { id: "events.latency.p50", phase: "events", label: "task change → event at a client, 200 streams, p50", unit: "ms" },
  { id: "events.latency.p95", phase: "events", label: "task change → event at a client, 200 streams, p95", unit: "ms" },
  { id: "events.cpu_idle", phase: "events", label: "web process CPU, 200 open streams, quiet", unit: "%" },
  { id: "events.cpu_busy", phase: "events", label: "web process CPU, 200 streams, a task every 20 ms", unit: "%" },
  { id: "events.rss_200", phase: "events", label: "web process RSS for 200 open streams", unit: "MB" },
];

const DB_LABEL: Record<Provider, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

/** Results of one benchmark run. */
export class Report {
  readonly results: Record<string, Partial<Record<Provider, FigureResult>>> = {};
  readonly errors: { provider: Provider; phase: Phase; message: string }[] = [];
  readonly notes: Partial<Record<Provider, Record<string, unknown>>> = {};
  readonly skipped: Partial<Record<Provider, string>> = {};

  record(provider: Provider, id: string, reps: number[], details?: unknown): void {
    if (!FIGURES.some((f) => f.id === id)) throw new Error(`unknown figure ${id}`);
    (this.results[id] ??= {})[provider] = { ...summarize(reps), details };
  }

  note(provider: Provider, key: string, value: unknown): void {
    (this.notes[provider] ??= {})[key] = value;
  }

  fail(provider: Provider, phase: Phase, err: unknown): void {
    this.errors.push({ provider, phase, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }

  /** Whether a result misses its target (null: no target, or no result). */
  static misses(def: FigureDef, provider: Provider, r: FigureResult | undefined): boolean | null {
    const t = def.target?.[provider];
    if (!def.target || t === undefined || !r || !Number.isFinite(r.median)) return null;
    return def.target.kind === "min" ? r.median < t : r.median > t;
  }

  /** The table as Markdown. */
  table(providers: Provider[], phases: Phase[]): string {
    const rows: string[][] = [["figure", ...providers.map((p) => DB_LABEL[p]), "target"]];
    for (const def of FIGURES) {
      if (!phases.includes(def.phase)) continue;
      const cells = providers.map((p) => {
        if (this.skipped[p]) return "skipped";
        const r = this.results[def.id]?.[p];
        if (!r) return this.errors.some((e) => e.provider === p && e.phase === def.phase) ? "error" : "–";
        const miss = Report.misses(def, p, r);
        const range = r.reps.length > 1 ? ` (${fmt(r.min)}–${fmt(r.max)})` : "";
        const flagged = this.errors.some((e) => e.provider === p && e.phase === def.phase);
        return `${fmt(r.median)}${range}${miss ? " ✗" : ""}${flagged ? " !" : ""}`;
      });
      rows.push([`${def.label} [${def.unit}]`, ...cells, targetText(def)]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c + " ".repeat(widths[i] - [...c].length)).join(" | ")} |`;
    return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
  }

  /** Writes bench/results/<timestamp>.json and latest.json; returns the path. */
  write(meta: Record<string, unknown>): string {
    const dir = path.join(root, "bench", "results");
    fs.mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const data = {
      meta,
      figures: FIGURES.filter((f) => this.results[f.id]).map((f) => ({
        id: f.id,
        label: f.label,
        unit: f.unit,
        target: f.target ?? null,
        results: Object.fromEntries(
          Object.entries(this.results[f.id]).map(([p, r]) => [p, { ...r, meets_target: negate(Report.misses(f, p as Provider, r)) }]),
        ),
      })),
      notes: this.notes,
      skipped: this.skipped,
      errors: this.errors,
    };
    // Three decimals are plenty for milliseconds, tasks per second and megabytes.
    const text =
      JSON.stringify(data, (_k, v: unknown) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2) + "\n";
    const file = path.join(dir, `${stamp}.json`);
    for (const target of [file, path.join(dir, "latest.json")]) {
      fs.writeFileSync(`${target}.tmp`, text);
      fs.renameSync(`${target}.tmp`, target);
    }
    return file;
  }
}

const negate = (v: boolean | null) => (v === null ? null : !v);

function targetText(def: FigureDef): string {
  const t = def.target;
  if (!t) return "";
  const op = t.kind === "min" ? "≥" : "≤";
  const u = def.unit === "tasks/s" ? "/s" : ` ${def.unit}`;
  if (t.sqlite === t.postgres) return `${op} ${fmt(t.sqlite as number)}${u}`;
  return `PG ${op} ${fmt(t.postgres as number)}, SQLite ${op} ${fmt(t.sqlite as number)}${u}`;
}

/** Facts about the machine and the checkout. */
export interface MachineFacts {
  date: string;
  commit: string | null;
  dirty: boolean;
  node: string;
  platform: string;
  cpus: number;
  cpu_model: string | null;
  available_parallelism: number;
  memory_gb: number;
  load_average_at_start: number[];
  qtask_env: Record<string, string | undefined>;
}

export function machineFacts(): MachineFacts {
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git(["rev-parse", "HEAD"]),
    // Read-only: whether the working tree has uncommitted changes (figures then describe more than the commit).
    dirty: (git(["status", "--porcelain", "--untracked-files=no"]) ?? "") !== "",
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? null,
    available_parallelism: os.availableParallelism?.() ?? cpus.length,
    memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    load_average_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    qtask_env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("QTASK_") || k === "JOB_NUM")),
  };
}
