/**
 * The dashboard's figures: the overview of the task queue (with aggregates that are refreshed at
 * most every few seconds whoever polls) and per-type statistics of run durations.
 */
import type { Database } from "@/db/client";
import type { getOverview, getStatistics, OverviewResponse, TypeStatistics } from "@/contracts/overview";
import type { Conn } from "@/queue/sql/executor";
import { countByQueueStatus, finishedSince, nextQueuedIds, queueCounts, runDurations, throughput } from "@/queue/sql/reads";
import { getQueue } from "./context";
import { HttpError } from "./errors";
import { healthWorkers } from "./health";
import { taskJson, tasksByIds, viewerOf } from "./json";
import type { Input, Output } from "./route";
import { startOfDay } from "@/domain/calendar";

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

/** The counts the dashboard, `GET /api/queues` and `/api/metrics` share (see aggregates()). */
export interface Aggregates {
  counts: Record<string, number>;
  /** Per queue, per status. */
  byQueue: Record<string, Record<string, number>>;
  queues: Awaited<ReturnType<typeof queueCounts>>;
  today: Record<string, number>;
  points: Awaited<ReturnType<typeof throughput>>;
}

const aggregateCache = new Map<string, { at: number; tookMs: number; value: Aggregates; refreshing: Promise<Aggregates> | null }>();

async function computeAggregates(conn: Conn): Promise<Aggregates> {
  const [byQueue, queues, today, points] = await Promise.all([
    countByQueueStatus(conn),
    queueCounts(conn),
    finishedSince(conn, startOfDay(DASHBOARD_TZ)),
    throughput(conn, 60),
  ]);
  const counts: Record<string, number> = {};
  for (const per of Object.values(byQueue)) for (const [status, n] of Object.entries(per)) counts[status] = (counts[status] ?? 0) + n;
  return { counts, byQueue, queues, today, points };
}

/** The overview's aggregates for this database, at most aggregateMaxAgeMs() old (see above). */
export async function aggregates(database: Database, conn: Conn): Promise<Aggregates> {
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

/** Counts by status, every status present (0 when none). */
export function allCounts(counts: Record<string, number>): Record<string, number> {
  return { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, ...counts };
}

/** Today's finished tasks by outcome: total (cancelled included), succeeded, failed. */
function todayOf(today: Record<string, number>) {
  const succeeded = today.succeeded ?? 0;
  const failed = today.failed ?? 0;
  return { total: succeeded + failed + (today.cancelled ?? 0), succeeded, failed };
}

/** Counts, queues, what runs and waits, recent results, workers, today's figures and the last hour's throughput. */
export async function get({ principal }: Input<typeof getOverview>): Promise<Output<typeof getOverview>> {
  const viewer = viewerOf(principal);
  const { database, conn } = await getQueue();
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
  const { total, succeeded, failed } = todayOf(today);
  const json: OverviewResponse = {
    counts: allCounts(counts),
    queues: queues.map(({ name, queued, running }) => ({ name, queued, running })),
    running: running.map((t) => taskJson(t, viewer)),
    queued: await tasksByIds(database, queuedIds, viewer),
    recent: recent.map((t) => taskJson(t, viewer)),
    workers,
    stats: {
      today: { total, succeeded, failed, success_rate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null },
      throughput: points,
    },
  };
  return { json };
}

/** The overview's figures the event stream pushes (`event: overview`): counts, today's, workers online. */
export async function overviewFigures(database: Database, conn: Conn) {
  const [{ counts, today }, workers] = await Promise.all([aggregates(database, conn), healthWorkers(conn)]);
  return {
    counts: allCounts(counts),
    today: todayOf(today),
    workers_online: workers.length,
    at: new Date().toISOString(),
  };
}

/** Per task type: count, success rate, average, p50 and p95 duration over [from, to) (default: the last 24 h). */
export async function typeStatistics({ query }: Input<typeof getStatistics>): Promise<Output<typeof getStatistics>> {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3600_000);
  if (from >= to) throw new HttpError("invalid_input", "from must be before to");
  const { conn } = await getQueue();
  return { json: { from: from.toISOString(), to: to.toISOString(), items: await statisticsOf(conn, from, to) } };
}

/** Per type, from the runs that finished in [from, to). */
async function statisticsOf(conn: Conn, from: Date, to: Date): Promise<TypeStatistics[]> {
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

/** The time zone of "today" on the dashboard. */
export const DASHBOARD_TZ = process.env.QTASK_TIMEZONE || "Asia/Shanghai";

/** p-th percentile (0–100) of sorted numbers, nearest-rank. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}
