/**
 * Claiming: take up to `limit` due tasks of one queue (higher priority first, then earliest
 * run_at, then id), mark them running under a lease, and open one run per task. One
 * transaction: the UPDATE comes first, so on SQLite the transaction holds the write lock
 * from its first statement; on PostgreSQL candidates are locked with SKIP LOCKED so
 * concurrent workers take disjoint sets.
 */
import { join, sql } from "../dialect";
import { dialect, execute, query, toDate, transaction, type Conn } from "./executor";

/** A task handed to a worker, with the run that now holds its lease. */
export interface ClaimedTask {
  id: number;
  runId: number;
  type: string;
  queue: string;
  payload: string;
  priority: number;
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
  batchId: string | null;
  parentId: number | null;
  scheduleId: string | null;
}

interface ClaimRow {
  id: number;
  type: string;
  queue: string;
  payload: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  batch_id: string | null;
  parent_id: number | null;
  schedule_id: string | null;
}

/** Claims up to `limit` due tasks of `queue` for `workerId`. */
export async function claimTasks(conn: Conn, opts: { workerId: string; queue: string; limit: number; leaseMs: number }): Promise<ClaimedTask[]> {
  if (opts.limit <= 0) return [];
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const rows = await query<ClaimRow>(
      tx,
      // The candidates are a MATERIALIZED CTE, not `id IN (SELECT … LIMIT n)`: on PostgreSQL a
      // row changed concurrently makes the UPDATE re-check its join, which re-runs such a
      // subquery and can claim more than `limit` rows. A CTE is evaluated exactly once.
      sql`WITH candidates AS MATERIALIZED (
            SELECT id FROM tasks
            WHERE queue = ${opts.queue} AND status = 'queued' AND run_at <= ${d.now}
            ORDER BY priority DESC, run_at, id
            LIMIT ${opts.limit}
            ${d.skipLocked}
          )
          UPDATE tasks
          SET status = 'running', attempts = attempts + 1, worker_id = ${opts.workerId},
              started_at = ${d.now}, lease_expires_at = ${d.nowPlus(opts.leaseMs)},
              progress = 0, progress_message = NULL
          FROM candidates
          WHERE tasks.id = candidates.id AND tasks.status = 'queued'
          RETURNING tasks.id, type, queue, payload, priority, attempts, max_attempts, timeout_ms, batch_id, parent_id, schedule_id`,
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const runs = await query<{ id: number; task_id: number }>(
      tx,
      sql`INSERT INTO runs (task_id, attempt, worker_id, status, started_at)
          VALUES ${join(rows.map((r) => sql`(${r.id}, ${r.attempts}, ${opts.workerId}, 'running', ${d.now})`))}
          RETURNING id, task_id`,
    );
    await execute(tx, sql`UPDATE tasks SET run_id = (SELECT MAX(r.id) FROM runs r WHERE r.task_id = tasks.id) WHERE id IN (${join(ids)})`);
    // A new attempt replaces the result rows of earlier attempts, so results never double.
    const retried = rows.filter((r) => Number(r.attempts) > 1).map((r) => Number(r.id));
    if (retried.length > 0) await execute(tx, sql`DELETE FROM result_rows WHERE task_id IN (${join(retried)})`);
    const runOf = new Map(runs.map((r) => [Number(r.task_id), Number(r.id)]));
    return rows
      .map((r) => ({
        id: Number(r.id),
        runId: runOf.get(Number(r.id)) as number,
        type: r.type,
        queue: r.queue,
        payload: r.payload,
        priority: Number(r.priority),
        attempt: Number(r.attempts),
        maxAttempts: Number(r.max_attempts),
        timeoutMs: Number(r.timeout_ms),
        batchId: r.batch_id,
        parentId: r.parent_id === null ? null : Number(r.parent_id),
        scheduleId: r.schedule_id,
      }))
      .sort((a, b) => b.priority - a.priority || a.id - b.id);
  });
}

/**
 * Milliseconds until the earliest queued task of these queues becomes due (0 if one is due,
 * null if none is queued), by the database clock: an idle worker sleeps exactly that long
 * instead of a whole poll interval when a retry or delayed task is pending.
 */
export async function msUntilNextDue(conn: Conn, queues: string[]): Promise<number | null> {
  const d = dialect(conn);
  const rows = await query<{ next: unknown; now: unknown }>(
    conn,
    sql`SELECT MIN(run_at) AS next, ${d.now} AS now FROM tasks WHERE status = 'queued' AND queue IN (${join(queues)})`,
  );
  const next = toDate(rows[0]?.next);
  const now = toDate(rows[0]?.now);
  if (!next || !now) return null;
  return Math.max(0, next.getTime() - now.getTime());
}
