/**
 * User actions on a task: cancel, retry, delete. Each is a guarded UPDATE/DELETE whose
 * WHERE is the legal "from" statuses of states.ts (whenLegal); when nothing matched, the
 * current status tells whether the task is missing (null) or the transition illegal.
 */
import { FINISHED_STATUSES, IllegalTransitionError, statusIn, targetOf, TaskStatus, whenLegal } from "../states";
import { join, raw, sql, type Sql } from "@/db/dialect";
import { dialect, execute, query, transaction, type Conn } from "./executor";
import { WAKEUP_CHANNEL } from "./changes";
import { keepRunsForStats } from "./dailyStats";

/** Thrown when a task id does not exist (the API maps it to 404). */
export class TaskNotFoundError extends Error {
  readonly code = "not_found";
  constructor(readonly taskId: number) {
    super(`task ${taskId} not found`);
  }
}

/** Channel a worker LISTENs on for cancel requests (PostgreSQL); the payload is the run id. */
export const CANCEL_CHANNEL = "qtask_cancel";

/** A task's status (null: no such task). */
export async function statusOf(conn: Conn, taskId: number): Promise<TaskStatus | null> {
  const rows = await query<{ status: TaskStatus }>(conn, sql`SELECT status FROM tasks WHERE id = ${taskId}`);
  return rows[0]?.status ?? null;
}

/**
 * Cancels a task: a queued task is cancelled at once; a running one gets cancel_requested
 * and its worker aborts it (the final state is written by the worker, or by rescue).
 */
export async function cancelTask(conn: Conn, taskId: number): Promise<"cancelled" | "cancel_requested"> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const now = await execute(
      tx,
      sql`UPDATE tasks SET status = ${targetOf("cancel")}, finished_at = ${d.now}, changed_at = ${d.now}, idempotency_key = NULL, error = 'cancelled before it started'
          WHERE id = ${taskId} AND ${whenLegal("cancel", { only: TaskStatus.queued })}`,
    );
    if (now > 0) return "cancelled" as const;
    const requested = await query<{ run_id: number | null }>(
      tx,
      // A running task is cancelled by its worker (or by rescue): here it only gets the request.
      sql`UPDATE tasks SET cancel_requested = true, changed_at = ${d.now} WHERE id = ${taskId} AND ${whenLegal("cancel", { only: TaskStatus.running })} RETURNING run_id`,
    );
    if (requested.length > 0) {
      if (d.provider === "postgres") await execute(tx, sql`SELECT pg_notify(${CANCEL_CHANNEL}, ${String(requested[0].run_id)})`);
      return "cancel_requested" as const;
    }
    const status = await statusOf(tx, taskId);
    if (status === null) throw new TaskNotFoundError(taskId);
    throw new IllegalTransitionError("cancel", status);
  });
}

/**
 * Cancels every unfinished task of a batch in one transaction: the queued ones at once, the
 * running ones by request (their workers abort them, as cancelTask). Finished tasks are left
 * as they are, so cancelling a batch twice is harmless. Returns how many of each.
 */
export async function cancelBatch(conn: Conn, batchId: string): Promise<{ cancelled: number; cancel_requested: number }> {
  return transaction(conn, (tx) => cancelWhere(tx, sql`batch_id = ${batchId}`));
}

/**
 * Cancels the unfinished tasks among `ids` in one transaction, as cancelBatch (a bulk action
 * over a filter works through its matches this way, a bounded chunk at a time).
 */
export async function cancelTasks(conn: Conn, ids: readonly number[]): Promise<{ cancelled: number; cancel_requested: number }> {
  if (ids.length === 0) return { cancelled: 0, cancel_requested: 0 };
  return transaction(conn, (tx) => cancelWhere(tx, sql`id IN (${join(ids)})`));
}

async function cancelWhere(tx: Conn, where: Sql): Promise<{ cancelled: number; cancel_requested: number }> {
  const d = dialect(tx);
  const cancelled = await execute(
    tx,
    sql`UPDATE tasks SET status = ${targetOf("cancel")}, finished_at = ${d.now}, changed_at = ${d.now}, idempotency_key = NULL, error = 'cancelled before it started'
        WHERE ${where} AND ${whenLegal("cancel", { only: TaskStatus.queued })}`,
  );
  const requested = await query<{ run_id: number | null }>(
    tx,
    sql`UPDATE tasks SET cancel_requested = true, changed_at = ${d.now}
        WHERE ${where} AND ${whenLegal("cancel", { only: TaskStatus.running })} AND cancel_requested = false RETURNING run_id`,
  );
  if (d.provider === "postgres")
    for (const r of requested) if (r.run_id !== null) await execute(tx, sql`SELECT pg_notify(${CANCEL_CHANNEL}, ${String(r.run_id)})`);
  return { cancelled, cancel_requested: requested.length };
}

/** The columns a retry sets: queued now, `extraAttempts` more attempts, the last attempt's outcome cleared. */
function retrySet(conn: Conn, extraAttempts: number) {
  const d = dialect(conn);
  return sql`status = ${targetOf("retry")}, run_at = ${d.now}, max_attempts = attempts + ${Math.max(1, extraAttempts)},
            finished_at = NULL, cancel_requested = false, error = NULL, result = NULL, progress = 0, progress_message = NULL,
            worker_id = NULL, lease_expires_at = NULL, changed_at = ${d.now}`;
}

/** Wakes the workers of these queues (PostgreSQL; SQLite workers see the commit in the WAL). */
async function wake(tx: Conn, queues: string[]): Promise<void> {
  if (dialect(tx).provider !== "postgres") return;
  for (const q of new Set(queues)) await execute(tx, sql`SELECT pg_notify(${WAKEUP_CHANNEL}, ${q})`);
}

/** Queues a failed or cancelled task again, with `extraAttempts` more attempts (default 1). */
export async function retryTask(conn: Conn, taskId: number, extraAttempts = 1): Promise<void> {
  await transaction(conn, async (tx) => {
    const rows = await query<{ queue: string }>(
      tx,
      sql`UPDATE tasks SET ${retrySet(tx, extraAttempts)} WHERE id = ${taskId} AND ${whenLegal("retry")} RETURNING queue`,
    );
    if (rows.length > 0) return wake(tx, [rows[0].queue]);
    const status = await statusOf(tx, taskId);
    if (status === null) throw new TaskNotFoundError(taskId);
    throw new IllegalTransitionError("retry", status);
  });
}

/**
 * Queues again every failed or cancelled task of a batch (one more attempt each), in one
 * statement: all of them or, if anything fails, none. Returns how many.
 */
export async function retryBatch(conn: Conn, batchId: string): Promise<number> {
  return transaction(conn, (tx) => retryWhere(tx, sql`batch_id = ${batchId}`));
}

/** Queues again the failed or cancelled tasks among `ids`, in one transaction; returns how many. */
export async function retryTasks(conn: Conn, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return transaction(conn, (tx) => retryWhere(tx, sql`id IN (${join(ids)})`));
}

async function retryWhere(tx: Conn, where: Sql): Promise<number> {
  const rows = await query<{ queue: string }>(tx, sql`UPDATE tasks SET ${retrySet(tx, 1)} WHERE ${where} AND ${whenLegal("retry")} RETURNING queue`);
  await wake(
    tx,
    rows.map((r) => r.queue),
  );
  return rows.length;
}

/** Deletes a finished task with its runs, log lines and result rows. */
export async function deleteTask(conn: Conn, taskId: number): Promise<void> {
  await transaction(conn, async (tx) => {
    await keepRunsForStats(tx, sql`t.id = ${taskId} AND ${statusIn(FINISHED_STATUSES, raw("t.status"))}`);
    const n = await execute(tx, sql`DELETE FROM tasks WHERE id = ${taskId} AND ${statusIn(FINISHED_STATUSES)}`);
    if (n === 0) {
      const status = await statusOf(tx, taskId);
      if (status === null) throw new TaskNotFoundError(taskId);
      throw new IllegalTransitionError("delete", status);
    }
    // runs and run_logs go with the task (ON DELETE CASCADE); result rows have no foreign key.
    await execute(tx, sql`DELETE FROM result_rows WHERE task_id = ${taskId}`);
  });
}

/**
 * Deletes the finished tasks among `ids` (with runs, log lines and result rows) in one
 * transaction; the others are left as they are. Returns how many tasks went.
 */
export async function deleteTasks(conn: Conn, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  return transaction(conn, async (tx) => {
    await keepRunsForStats(tx, sql`t.id IN (${join(ids)}) AND ${statusIn(FINISHED_STATUSES, raw("t.status"))}`);
    const gone = await query<{ id: number }>(tx, sql`DELETE FROM tasks WHERE id IN (${join(ids)}) AND ${statusIn(FINISHED_STATUSES)} RETURNING id`);
    if (gone.length > 0) await execute(tx, sql`DELETE FROM result_rows WHERE task_id IN (${join(gone.map((r) => Number(r.id)))})`);
    return gone.length;
  });
}
