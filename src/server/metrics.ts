/**
 * `GET /api/metrics`: Prometheus metrics through prom-client, for scrapers that do not sign in
 * (a viewer token, or an address in QTASK_METRICS_ALLOW: see the endpoint's allowAddressesFrom).
 *
 * What a scrape costs: the gauges come from the overview's cached aggregates (counts by queue
 * and status, refreshed at most every few seconds whoever asks) and from small tables
 * (queue controls, workers, schedules, alert messages); the counters and histograms are
 * advanced by reading only what happened since the previous scrape — runs opened after the
 * last run id seen, tasks finished after the last finished_at seen (tasks_finished_idx) — so
 * no scrape scans the tasks table. The counters count from this web process's first scrape
 * (as every Prometheus counter counts from its process's start; rate() handles the restart).
 *
 * Late commits: on PostgreSQL a run id or finished_at can become visible after a higher one
 * (transactions commit out of order), so each read looks back LOOKBACK_RUN_IDS ids and
 * LOOKBACK_MS milliseconds and skips what it already counted.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { getMetrics } from "@/contracts/system";
import type { Database } from "@/db/client";
import type { Conn } from "@/queue/sql/executor";
import { liveWorkers } from "@/queue/sql/lease";
import { changeEnds, readFinishedTasks, readStartedTasks, type ChangeCursor, type ChangedTask } from "@/queue/sql/changes";
import { alertEventCounts, lostRunCount, scheduleLags } from "@/queue/sql/metrics";
import { getQueue } from "./context";
import { LIVE_WORKER_MS, queuesJson } from "./queues";
import type { Input } from "./route";

const LOOKBACK_RUN_IDS = 1_000;
const LOOKBACK_MS = 2_000;
/** Rows per read while catching up. */
const PAGE = 5_000;
/** Seconds: from 10 ms (a no-op's run) to an hour (a long backtest batch). */
const BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** Every metric and the cursors of one web process. */
class Metrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];
  readonly tasks = new Gauge({
    name: "qtask_tasks",
    help: "Tasks by queue and status (the overview's counts, at most a few seconds old)",
    labelNames: ["queue", "status"],
    registers: this.r,
  });
  readonly oldest = new Gauge({
    name: "qtask_queue_oldest_due_age_seconds",
    help: "Seconds the longest-waiting due task of the queue has waited since it fell due (0: none due)",
    labelNames: ["queue"],
    registers: this.r,
  });
  readonly paused = new Gauge({
    name: "qtask_queue_paused",
    help: "1 while the queue is paused cluster-wide",
    labelNames: ["queue"],
    registers: this.r,
  });
  readonly maxRunning = new Gauge({
    name: "qtask_queue_max_running",
    help: "The queue's cluster-wide max_running (absent: none)",
    labelNames: ["queue"],
    registers: this.r,
  });
  readonly workers = new Gauge({
    name: "qtask_workers_online",
    help: "Worker processes that sent a heartbeat in the last minute",
    registers: this.r,
  });
  readonly queueWorkers = new Gauge({
    name: "qtask_queue_workers",
    help: "Live workers serving the queue",
    labelNames: ["queue"],
    registers: this.r,
  });
  readonly duration = new Histogram({
    name: "qtask_task_duration_seconds",
    help: "Run time of finished tasks (their last attempt: started → finished), by type",
    labelNames: ["type"],
    buckets: BUCKETS,
    registers: this.r,
  });
  readonly wait = new Histogram({
    name: "qtask_task_wait_seconds",
    help: "Queue wait of tasks finished at their first attempt: due (run_at; the enqueue for an immediate task) → started, by type",
    labelNames: ["type"],
    buckets: BUCKETS,
    registers: this.r,
  });
  readonly started = new Counter({
    name: "qtask_runs_started_total",
    help: "Runs started (every attempt), by task type",
    labelNames: ["type"],
    registers: this.r,
  });
  readonly finished = new Counter({
    name: "qtask_tasks_finished_total",
    help: "Tasks that reached a final state, by type and status (succeeded, failed, cancelled)",
    labelNames: ["type", "status"],
    registers: this.r,
  });
  readonly lost = new Gauge({
    name: "qtask_runs_lost",
    help: "Runs lost to rescue (their worker stopped renewing the lease), in the history kept",
    registers: this.r,
  });
  readonly lag = new Gauge({
    name: "qtask_schedule_lag_seconds",
    help: "How late the schedule's last slot fired (fired_at − slot)",
    labelNames: ["schedule"],
    registers: this.r,
  });
  readonly alerts = new Gauge({
    name: "qtask_alert_messages",
    help: "Alert messages by delivery status, in the history kept",
    labelNames: ["status"],
    registers: this.r,
  });

  private runCursor = -1;
  private finishedCursor: ChangeCursor = { at: new Date(0), id: 0 };
  /** Run ids above runCursor − LOOKBACK_RUN_IDS already counted. */
  private seenRuns = new Set<number>();
  /** "id:finished_at" of tasks finished within LOOKBACK_MS of finishedCursor already counted, with finished_at. */
  private seenFinished = new Map<string, number>();
  private busy: Promise<string> | null = null;

  /** One scrape at a time (two scrapers at once would count the same rows twice). */
  scrape(database: Database, conn: Conn): Promise<string> {
    const run = async () => {
      await this.advance(conn);
      await this.gauges(database, conn);
      return this.registry.metrics();
    };
    const p = (this.busy ?? Promise.resolve("")).catch(() => "").then(run);
    this.busy = p.finally(() => {
      if (this.busy === p) this.busy = null;
    });
    return p;
  }

  /**
   * Advances the counters and histograms by what happened since the previous scrape, through
   * the event stream's reads (changes.ts), page by page. The first scrape only marks where
   * things stand: counting starts there.
   */
  private async advance(conn: Conn): Promise<void> {
    const first = this.runCursor < 0;
    if (first) {
      const ends = await changeEnds(conn);
      this.runCursor = ends.runId;
      // Strictly after the latest finish: an id above every task's.
      this.finishedCursor = { at: ends.finishedAt ?? new Date(0), id: Number.MAX_SAFE_INTEGER };
      return;
    }
    for (let after = Math.max(0, this.runCursor - LOOKBACK_RUN_IDS); ;) {
      const runs = await readStartedTasks(conn, after, PAGE);
      for (const r of runs) {
        if (r.newRunId <= this.runCursor - LOOKBACK_RUN_IDS || this.seenRuns.has(r.newRunId)) continue;
        this.seenRuns.add(r.newRunId);
        this.started.inc({ type: r.type });
      }
      if (runs.length > 0) after = runs[runs.length - 1].newRunId;
      this.runCursor = Math.max(this.runCursor, after);
      if (runs.length < PAGE) break;
    }
    for (const id of this.seenRuns) if (id <= this.runCursor - LOOKBACK_RUN_IDS) this.seenRuns.delete(id);

    let cursor: ChangeCursor = { at: new Date(this.finishedCursor.at.getTime() - LOOKBACK_MS), id: 0 };
    for (;;) {
      const rows = await readFinishedTasks(conn, cursor, PAGE);
      for (const t of rows) this.countFinished(t);
      if (rows.length > 0) cursor = { at: rows[rows.length - 1].finishedAt as Date, id: rows[rows.length - 1].id };
      if (rows.length < PAGE) break;
    }
    if (cursor.at.getTime() > this.finishedCursor.at.getTime()) this.finishedCursor = cursor;
    const floor = this.finishedCursor.at.getTime() - LOOKBACK_MS;
    for (const [k, at] of this.seenFinished) if (at < floor) this.seenFinished.delete(k);
  }

  /** Counts one finished task once (a read looking back sees it again). */
  private countFinished(t: ChangedTask): void {
    const finishedAt = t.finishedAt as Date;
    const key = `${t.id}:${finishedAt.getTime()}`;
    if (this.seenFinished.has(key)) return;
    this.seenFinished.set(key, finishedAt.getTime());
    // Finished before counting began (seen again only by the look-back).
    if (this.finishedCursor.id === Number.MAX_SAFE_INTEGER && finishedAt.getTime() <= this.finishedCursor.at.getTime()) return;
    this.finished.inc({ type: t.type, status: t.status });
    if (t.startedAt && t.status !== "cancelled")
      this.duration.observe({ type: t.type }, Math.max(0, finishedAt.getTime() - t.startedAt.getTime()) / 1000);
    if (t.startedAt && t.runAt && t.attempts === 1)
      this.wait.observe({ type: t.type }, Math.max(0, t.startedAt.getTime() - t.runAt.getTime()) / 1000);
  }

  /** Sets the gauges from the cached aggregates and the small tables. */
  private async gauges(database: Database, conn: Conn): Promise<void> {
    const workers = await liveWorkers(conn, LIVE_WORKER_MS);
    const [queues, lost, lags, alerts] = await Promise.all([
      queuesJson(database, conn, workers),
      lostRunCount(conn),
      scheduleLags(conn),
      alertEventCounts(conn),
    ]);
    for (const g of [this.tasks, this.oldest, this.paused, this.maxRunning, this.queueWorkers, this.lag, this.alerts]) g.reset();
    for (const q of queues) {
      for (const [status, n] of Object.entries(q.counts)) this.tasks.set({ queue: q.name, status }, n);
      this.oldest.set({ queue: q.name }, q.oldest_queued_age_s ?? 0);
      this.paused.set({ queue: q.name }, q.paused ? 1 : 0);
      if (q.limits.max_running !== null) this.maxRunning.set({ queue: q.name }, q.limits.max_running);
      this.queueWorkers.set({ queue: q.name }, q.workers.length);
    }
    this.workers.set(workers.length);
    this.lost.set(lost);
    for (const l of lags) this.lag.set({ schedule: l.name }, l.lagMs / 1000);
    for (const [status, n] of Object.entries(alerts)) this.alerts.set({ status }, n);
  }
}

const g = globalThis as unknown as { __qtaskMetrics?: Map<string, Metrics> };

/** The metrics of this process for a database (one per database URL; tests open several). */
function metricsFor(database: Database): Metrics {
  g.__qtaskMetrics ??= new Map();
  let m = g.__qtaskMetrics.get(database.url);
  if (!m) g.__qtaskMetrics.set(database.url, (m = new Metrics()));
  return m;
}

/** The metrics (the route lets in a viewer, or an address in QTASK_METRICS_ALLOW). */
export async function scrape(_: Input<typeof getMetrics>): Promise<Response> {
  const { database, conn } = await getQueue();
  const m = metricsFor(database);
  const text = await m.scrape(database, conn);
  return new Response(text, { headers: { "content-type": m.registry.contentType, "cache-control": "no-store" } });
}
