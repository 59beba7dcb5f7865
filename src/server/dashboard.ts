/** The dashboard's composite reads: overview, per-type statistics, batches, runs and logs. */
import { z } from "zod";
import type { Database } from "@/db/client";
import type { BatchJson, LogPage, OverviewResponse, TaskTypeJson, TypeStatistics } from "@/contracts/tasks";
import type { Conn } from "@/queue/sql/executor";
import { countByStatus, finishedSince, nextQueuedIds, queueCounts, runDurations, throughput } from "@/queue/sql/reads";
import { isFinished } from "@/queue/states";
import type { LogLevel, Registry } from "@/queue/registry";
import { readRunLog } from "@/queue/runLog";
import { DASHBOARD_TZ, healthWorkers, percentile, runJson, startOfDay, taskJson, tasksByIds } from "./tasks";

/**
 * How stale the overview's aggregates may be. Counting every task by status (and the last
 * hour's throughput) scans the table — hundreds of milliseconds with a million tasks — so it
 * runs at most once per this interval per server, whoever polls, while the lists beside it
 * (running, next queued, recent) stay live. A poll after the interval gets the previous figures
 * at once and starts the refresh (stale-while-revalidate), so no poll waits on the scan but the
 * first.
 */
export const AGGREGATE_MAX_AGE_MS = 2_000;
/** …or this many times as long as the last refresh took, if longer (see aggregateMaxAgeMs). */
const AGGREGATE_AGE_PER_REFRESH_MS = 20;

/**
 * The age limit of aggregates whose last refresh took `tookMs`: AGGREGATE_MAX_AGE_MS, stretched
 * on a table so large (or a machine so busy) that refreshing every 2 s would keep the database
 * counting for more than a twentieth of the time — with a million tasks on 2 cores the count
 * took 300 ms in a slow hour, and every poll meanwhile shared the CPU with it.
 */
export function aggregateMaxAgeMs(tookMs: number): number {
  return Math.max(AGGREGATE_MAX_AGE_MS, AGGREGATE_AGE_PER_REFRESH_MS * tookMs);
}

interface Aggregates {
  counts: Record<string, number>;
  queues: Awaited<ReturnType<typeof queueCounts>>;
  today: Record<string, number>;
  points: Awaited<ReturnType<typeof throughput>>;
}

const aggregateCache = new Map<string, { at: number; tookMs: number; value: Aggregates; refreshing: Promise<Aggregates> | null }>();

async function computeAggregates(conn: Conn): Promise<Aggregates> {
  const [counts, queues, today, points] = await Promise.all([
    countByStatus(conn),
    queueCounts(conn),
    finishedSince(conn, startOfDay(DASHBOARD_TZ)),
    throughput(conn, 60),
  ]);
  return { counts, queues, today, points };
}

/** The overview's aggregates for this database, at most aggregateMaxAgeMs() old (see above). */
async function aggregates(database: Database, conn: Conn): Promise<Aggregates> {
  const key = database.url;
  const entry = aggregateCache.get(key);
  const refresh = () => {
    const started = Date.now();
    const p = computeAggregates(conn).then(
      (value) => {
        aggregateCache.set(key, { at: Date.now(), tookMs: Date.now() - started, value, refreshing: null });
        return value;
      },
      (err: unknown) => {
        const e = aggregateCache.get(key);
        if (e) e.refreshing = null;
        throw err;
      },
    );
    if (entry) entry.refreshing = p;
    return p;
  };
  if (!entry) return refresh();
  if (Date.now() - entry.at > aggregateMaxAgeMs(entry.tookMs) && !entry.refreshing) void refresh().catch(() => undefined);
  return entry.value;
}

/** `GET /api/tasks/overview`. */
export async function overview(database: Database, conn: Conn): Promise<OverviewResponse> {
  const db = database.db;
  const [{ counts, queues, today, points }, running, queuedIds, recent, workers] = await Promise.all([
    aggregates(database, conn),
    db.task.findMany({ where: { status: "running" }, orderBy: { startedAt: "asc" }, take: 50 }),
    nextQueuedIds(conn, 50),
    // finished_at is set exactly when a task reaches a final state, so it alone says "finished":
    // with a status condition beside it, SQLite without fresh statistics read the status index
    // and sorted every finished task (100 ms at a million) instead of reading tasks_finished_idx.
    db.task.findMany({
      where: { finishedAt: { not: null } },
      orderBy: { finishedAt: "desc" },
      take: 20,
    }),
    healthWorkers(conn),
  ]);
  const succeeded = today.succeeded ?? 0;
  const failed = today.failed ?? 0;
  const total = succeeded + failed + (today.cancelled ?? 0);
  return {
    counts: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, ...counts },
    queues,
    running: running.map(taskJson),
    queued: await tasksByIds(database, queuedIds),
    recent: recent.map(taskJson),
    workers,
    stats: {
      today: { total, succeeded, failed, success_rate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null },
      throughput: points,
    },
  };
}

/** `GET /api/tasks/statistics`: per type, from the runs that finished in [from, to). */
export async function statistics(conn: Conn, from: Date, to: Date): Promise<TypeStatistics[]> {
  const rows = await runDurations(conn, from, to);
  const byType = new Map<string, { durations: number[]; succeeded: number; failed: number; count: number }>();
  for (const r of rows) {
    const s = byType.get(r.type) ?? { durations: [], succeeded: 0, failed: 0, count: 0 };
    s.count++;
    if (r.status === "succeeded") s.succeeded++;
    if (r.status === "failed" || r.status === "timed_out" || r.status === "lost") s.failed++;
    if (r.durationMs !== null && r.status === "succeeded") s.durations.push(r.durationMs);
    byType.set(r.type, s);
  }
  return [...byType.entries()]
    .map(([type, s]) => {
      const sorted = s.durations.sort((a, b) => a - b);
      return {
        type,
        count: s.count,
        succeeded: s.succeeded,
        failed: s.failed,
        success_rate: s.succeeded + s.failed > 0 ? s.succeeded / (s.succeeded + s.failed) : null,
        avg_ms: sorted.length ? Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) : null,
        p50_ms: percentile(sorted, 50),
        p95_ms: percentile(sorted, 95),
      };
    })
    .sort((a, b) => b.count - a.count);
}

/** `GET /api/task-types`: what can be enqueued, with each payload's JSON Schema. */
export function taskTypes(registry: Registry): TaskTypeJson[] {
  return registry.list().map((d) => ({
    name: d.name,
    title: d.title,
    description: d.description ?? null,
    category: d.category,
    queue: d.queue,
    mode: d.mode,
    timeout_ms: d.timeoutMs,
    max_attempts: d.maxAttempts,
    priority: d.priority ?? 500,
    payload_schema: z.toJSONSchema(d.schema as z.ZodType, { io: "input", unrepresentable: "any" }),
  }));
}

/** `GET /api/tasks/batches/{batch_id}`: counts by status, overall progress and an ETA from the pace so far. */
export async function batchRollup(database: Database, batchId: string): Promise<BatchJson | null> {
  const rows = await database.db.task.findMany({ where: { batchId }, select: { status: true, progress: true, createdAt: true, startedAt: true } });
  if (rows.length === 0) return null;
  const counts: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  let done = 0;
  for (const r of rows) {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    done += isFinished(r.status) ? 100 : r.progress;
  }
  const progress = done / rows.length;
  const started = rows.map((r) => r.startedAt?.getTime()).filter((t): t is number => t !== undefined);
  const startedAt = started.length ? Math.min(...started) : null;
  let eta: number | null = null;
  if (startedAt !== null && progress > 0 && progress < 100) {
    const elapsed = (Date.now() - startedAt) / 1000;
    eta = Math.round((elapsed * (100 - progress)) / progress);
  }
  return {
    batch_id: batchId,
    total: rows.length,
    counts,
    progress: Math.round(progress * 10) / 10,
    eta_seconds: eta,
    started_at: startedAt ? new Date(startedAt).toISOString() : null,
  };
}

/** A run with its task and every run of that task (for switching attempts). */
export async function runDetail(database: Database, runId: number) {
  const run = await database.db.run.findUnique({ where: { id: runId }, include: { task: { include: { runs: { orderBy: { id: "asc" } } } } } });
  if (!run) return null;
  return { run: runJson(run), task: taskJson(run.task), runs: run.task.runs.map(runJson) };
}

/** Log lines of a run after `afterSeq`, at or above `level`, containing `q` (stored and rendered: src/queue/runLog.ts). */
export async function logPage(
  database: Database,
  runId: number,
  q: { after_seq: number; limit: number; level?: LogLevel; q?: string },
): Promise<LogPage | null> {
  const run = await database.db.run.findUnique({ where: { id: runId } });
  if (!run) return null;
  const lines = await readRunLog(database.db, run, { afterSeq: q.after_seq, limit: q.limit, level: q.level, q: q.q });
  const items = lines.map((l) => ({
    seq: l.seq,
    ts: l.ts.toISOString(),
    level: l.level,
    message: l.message,
    data: l.data === null ? null : safeJson(l.data),
  }));
  // Filtered pages still advance past what was scanned, so polling never re-reads old lines.
  const next = items.length ? items[items.length - 1].seq : q.after_seq;
  return { items, next_after_seq: next, run_finished: run.status !== "running" };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
