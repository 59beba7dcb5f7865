/**
 * What the event stream reads (GET /api/events, src/server/events/): the tasks whose
 * `changed_at` moved since a point in time, by tasks_changed_idx (migration 0018), never by a
 * scan; and, on PostgreSQL, the coalesced signal that something changed.
 *
 * Every statement that changes what a person sees of a task (status, progress, cancel request)
 * sets changed_at to the database clock. A reader that asks for `changed_at > t` can still miss
 * a row whose transaction took the clock before t and committed after the read, so readers ask
 * again with an overlap (see src/server/events/changeFeed.ts).
 *
 * Signal: enqueues and cancels already NOTIFY (wake-up and cancel channels); the worker's own
 * writes — claims, progress, log lines, closes, rescues — call noteChange(), which sends at
 * most one `NOTIFY qtask_changes` per CHANGE_COALESCE_MS per process, after the write
 * committed. A drain of 20,000 tasks is then ~20 notifications a second per worker, not 40,000.
 * SQLite needs none: the web server watches PRAGMA data_version, which moves on every commit.
 */
import { sql } from "@/db/dialect";
import { dialect, query, toDate, toInt, type Conn } from "./executor";

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
  changedAt: Date;
}

const COLUMNS = sql`id, type, queue, status, progress, progress_message, batch_id, schedule_id, run_id, attempts, max_attempts, cancel_requested, changed_at`;

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
    changedAt: toDate(r.changed_at) as Date,
  };
}

/** Where a read of changes resumes: after this change time, and after this id within it. */
export interface ChangeCursor {
  at: Date;
  id: number;
}

/**
 * Tasks changed after `after`, in (changed_at, id) order, at most `limit`: a keyset read of
 * tasks_changed_idx (changed_at, id), so a page never skips or repeats rows that share a
 * millisecond. Both databases compare row values with the index.
 */
export async function readChangedTasks(conn: Conn, after: ChangeCursor, limit: number): Promise<ChangedTask[]> {
  const d = dialect(conn);
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT ${COLUMNS} FROM tasks WHERE (changed_at, id) > (${d.param(after.at, "timestamp")}, ${d.param(after.id, "int")})
        ORDER BY changed_at, id LIMIT ${d.limit(limit)}`,
  );
  return rows.map(changedTask);
}

/** The latest change time of any task (null: no tasks), read from the end of tasks_changed_idx. */
export async function lastChangeAt(conn: Conn): Promise<Date | null> {
  const rows = await query<{ at: unknown }>(conn, sql`SELECT MAX(changed_at) AS at FROM tasks`);
  return toDate(rows[0]?.at);
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

/** Status and progress of every task of a batch (tasks_batch_idx), for its roll-up. */
export async function batchStates(conn: Conn, batchId: string): Promise<{ status: string; progress: number }[]> {
  const rows = await query<{ status: string; progress: unknown }>(conn, sql`SELECT status, progress FROM tasks WHERE batch_id = ${batchId}`);
  return rows.map((r) => ({ status: r.status, progress: toInt(r.progress) }));
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
