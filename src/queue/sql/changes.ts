/**
 * What the event stream reads (GET /api/events, src/server/events/): the tasks that changed
 * since the last read, each kind of change by an index of its own, never by a scan:
 * - new tasks by the primary key (`id > last`);
 * - started tasks by their new runs (`runs.id > last`: a claim inserts one);
 * - finished tasks by tasks_finished_idx (`finished_at`);
 * - everything else — progress, cancel requests, retries, rescues, failed attempts — by
 *   `changed_at`, which only those (rarer) statements set, indexed by the partial
 *   tasks_changed_idx (migration 0018).
 * So the hot path — enqueue, claim, success — writes nothing for the stream: setting a
 * `changed_at` on every claim and close cost a drain 7–14% (measured before this design).
 *
 * A time cursor can miss a row whose statement read the clock before the cursor and committed
 * after the read, and on PostgreSQL an id can commit after a higher one: readers look back a
 * little and skip what they already sent (src/server/events/hub.ts).
 *
 * Signal: enqueues and cancels already NOTIFY (wake-up and cancel channels); the worker's own
 * writes — claims, progress, log lines, closes, rescues — call noteChange(), which sends at
 * most one `NOTIFY qtask_changes` per CHANGE_COALESCE_MS per process, after the write
 * committed. A drain of 20,000 tasks is then ~20 notifications a second per worker, not 40,000.
 * SQLite needs none: the web server watches PRAGMA data_version, which moves on every commit.
 */
import { join, raw, sql } from "@/db/dialect";
import { dialect, query, toDate, toInt, type Conn } from "./executor";

/** Channel the workers LISTEN on (PostgreSQL), notified by enqueues; the payload is the queue name. */
export const WAKEUP_CHANNEL = "qtask_wakeup";

/** Channel the web servers LISTEN on for "tasks or logs changed" (PostgreSQL; no payload). */
export const CHANGES_CHANNEL = "qtask_changes";

/** At most one change notification per this many milliseconds per process. */
export const CHANGE_COALESCE_MS = 50;

/** A changed task, as the stream sends it. */
export interface ChangedTask {
  id: number;
  type: string;
  queue: string;
  status: string;
  progress: number;
  progressMessage: string | null;
  batchId: string | null;
  scheduleId: string | null;
  runId: number | null;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  /** The latest of changed_at, finished_at, started_at and created_at. */
  changedAt: Date;
  /** The columns themselves (the readers' cursors). */
  changedAtColumn: Date | null;
  finishedAt: Date | null;
  startedAt: Date | null;
  /** When it is or was due (the metrics' queue wait is measured from it). */
  runAt: Date | null;
}

const COLUMN_NAMES = [
  "id",
  "type",
  "queue",
  "status",
  "progress",
  "progress_message",
  "batch_id",
  "schedule_id",
  "run_id",
  "attempts",
  "max_attempts",
  "cancel_requested",
  "changed_at",
  "finished_at",
  "started_at",
  "created_at",
  "run_at",
];
const COLUMNS = raw(COLUMN_NAMES.join(", "));

function latest(...ds: (Date | null)[]): Date {
  return new Date(Math.max(...ds.map((d) => d?.getTime() ?? 0)));
}

function changedTask(r: Record<string, unknown>): ChangedTask {
  return {
    id: toInt(r.id),
    type: String(r.type),
    queue: String(r.queue),
    status: String(r.status),
    progress: toInt(r.progress),
    progressMessage: (r.progress_message as string | null) ?? null,
    batchId: (r.batch_id as string | null) ?? null,
    scheduleId: (r.schedule_id as string | null) ?? null,
    runId: r.run_id === null || r.run_id === undefined ? null : toInt(r.run_id),
    attempts: toInt(r.attempts),
    maxAttempts: toInt(r.max_attempts),
    cancelRequested: r.cancel_requested === true || r.cancel_requested === 1 || r.cancel_requested === 1n,
    // The latest of what is known of when it changed (for the event's changed_at).
    changedAt: latest(toDate(r.changed_at), toDate(r.finished_at), toDate(r.started_at), toDate(r.created_at)),
    changedAtColumn: toDate(r.changed_at),
    finishedAt: toDate(r.finished_at),
    startedAt: toDate(r.started_at),
    runAt: toDate(r.run_at),
  };
}

/** Where a time-keyed read resumes: after this time, and after this id within it. */
export interface ChangeCursor {
  at: Date;
  id: number;
}

/**
 * Tasks whose `column` (finished_at or changed_at) is after `after`, in (column, id) order, at
 * most `limit`. Spelt as a range on the column plus a tie-break, so both databases read it as a
 * range of that column's index (a row-value comparison would need an index on both columns).
 */
async function readByTime(conn: Conn, column: "finished_at" | "changed_at", after: ChangeCursor, limit: number): Promise<ChangedTask[]> {
  const d = dialect(conn);
  const col = raw(column);
  const at = d.param(after.at, "timestamp");
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT ${COLUMNS} FROM tasks WHERE ${col} >= ${at} AND (${col} > ${at} OR id > ${d.param(after.id, "int")})
        ORDER BY ${col}, id LIMIT ${d.limit(limit)}`,
  );
  return rows.map(changedTask);
}

/** Tasks finished after the cursor (tasks_finished_idx). */
export function readFinishedTasks(conn: Conn, after: ChangeCursor, limit: number): Promise<ChangedTask[]> {
  return readByTime(conn, "finished_at", after, limit);
}

/** Tasks whose changed_at is after the cursor (tasks_changed_idx). */
export function readChangedTasks(conn: Conn, after: ChangeCursor, limit: number): Promise<ChangedTask[]> {
  return readByTime(conn, "changed_at", after, limit);
}

/** Tasks with an id above `afterId`, in id order (new tasks). */
export async function readNewTasks(conn: Conn, afterId: number, limit: number): Promise<ChangedTask[]> {
  const d = dialect(conn);
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT ${COLUMNS} FROM tasks WHERE id > ${afterId} ORDER BY id LIMIT ${d.limit(limit)}`,
  );
  return rows.map(changedTask);
}

/** Tasks of the runs with an id above `afterRunId` (claimed since), with that run id, in run order. */
export async function readStartedTasks(conn: Conn, afterRunId: number, limit: number): Promise<(ChangedTask & { newRunId: number })[]> {
  const d = dialect(conn);
  const cols = join(COLUMN_NAMES.map((c) => raw(`t.${c}`)));
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT ${cols}, r.id AS new_run_id FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.id > ${afterRunId} ORDER BY r.id LIMIT ${d.limit(limit)}`,
  );
  return rows.map((r) => ({ ...changedTask(r), newRunId: toInt(r.new_run_id) }));
}

/** Where each read stands now: the highest task and run ids, the latest finished_at and changed_at (index ends). */
export async function changeEnds(conn: Conn): Promise<{ taskId: number; runId: number; finishedAt: Date | null; changedAt: Date | null }> {
  const [t] = await query<Record<string, unknown>>(
    conn,
    sql`SELECT (SELECT MAX(id) FROM tasks) AS task_id, (SELECT MAX(id) FROM runs) AS run_id,
               (SELECT MAX(finished_at) FROM tasks) AS finished_at, (SELECT MAX(changed_at) FROM tasks) AS changed_at`,
  );
  return { taskId: toInt(t?.task_id ?? 0), runId: toInt(t?.run_id ?? 0), finishedAt: toDate(t?.finished_at), changedAt: toDate(t?.changed_at) };
}

/** These tasks as they are now (by primary key). */
export async function readTasks(conn: Conn, ids: number[]): Promise<ChangedTask[]> {
  if (ids.length === 0) return [];
  const d = dialect(conn);
  const rows = await query<Record<string, unknown>>(
    conn,
    d.provider === "postgres"
      ? sql`SELECT ${COLUMNS} FROM tasks WHERE id = ANY(${ids}::int[])`
      : sql`SELECT ${COLUMNS} FROM tasks WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );
  return rows.map(changedTask);
}

/** The last stored log seq of a run (0: none), from the end of its primary-key range. */
export async function lastLogSeq(conn: Conn, runId: number): Promise<number> {
  const rows = await query<{ seq: unknown }>(conn, sql`SELECT MAX(seq) AS seq FROM run_logs WHERE run_id = ${runId}`);
  return toInt(rows[0]?.seq ?? 0);
}

const signals = new WeakMap<object, { timer: NodeJS.Timeout | null; conn: Conn }>();

/**
 * Notes that this process committed a change the event stream shows (PostgreSQL; a no-op on
 * SQLite). Sends one NOTIFY on `conn` (a top-level connection, not a transaction) at most every
 * CHANGE_COALESCE_MS: the first change of a quiet period goes out after that long, and with it every change since.
 */
export function noteChange(conn: Conn): void {
  if (conn.provider !== "postgres" || conn.inTransaction) return;
  const key = conn.db as object;
  let s = signals.get(key);
  if (!s) signals.set(key, (s = { timer: null, conn }));
  if (s.timer) return;
  const state = s;
  state.timer = setTimeout(() => {
    state.timer = null;
    void query(state.conn, sql`SELECT pg_notify(${CHANGES_CHANNEL}, '')`).catch(() => undefined);
  }, CHANGE_COALESCE_MS);
  state.timer.unref?.();
}
