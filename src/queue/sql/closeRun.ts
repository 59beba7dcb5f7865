/**
 * The statements that close runs, each fenced on the run's lease exactly alike: a batch of
 * successes in two statements (SQLite) or one (PostgreSQL), and any one close with its outcome
 * decided in SQL. complete.ts decides which to use and group-commits them.
 */
import { RunStatus, statusSql, targetOf, whenLegal, type TaskStatus } from "../states";
import { join, prepared, raw, sql, type Sql } from "@/db/dialect";
import { dialect, execute, query, transaction, type Conn } from "./executor";
import { closingLinesPg, insertClosingLines, type LogLine } from "./runWrites";

const RUN_SUCCEEDED = statusSql(RunStatus.succeeded);

/** How a run ended, as the worker saw it. */
export type RunOutcome =
  | { kind: "succeeded"; result: string | null }
  /** Thrown error or timeout; retried with backoff while attempts are left, unless `retryable` is false. */
  | { kind: "failed"; error: string; retryable: boolean; backoffMs: number; timedOut: boolean }
  | { kind: "cancelled"; error: string | null }
  /** Back to the queue after delayMs without using up an attempt (TaskSnooze, graceful shutdown). */
  | { kind: "requeued"; delayMs: number; reason: string; runStatus: RunStatus };

/** What closing a run did. */
export interface CloseResult {
  applied: boolean;
  taskStatus: TaskStatus | null;
  runStatus: RunStatus | null;
}

/** One close waiting to be written (with the promise of whoever asked for it). */
export interface PendingClose {
  taskId: number;
  runId: number;
  outcome: RunOutcome;
  durationMs: number;
  lines: LogLine[];
  resolve?: (r: CloseResult) => void;
  reject?: (err: unknown) => void;
}

/**
 * Closes many succeeded runs at once, each fenced on its own lease exactly as closeRunNow does;
 * returns the run ids that were applied. The rows are a UNION ALL of SELECTs rather than a
 * VALUES list because SQLite cannot name the columns of VALUES.
 */
export async function closeSucceeded(tx: Conn, items: PendingClose[]): Promise<Set<number>> {
  const d = dialect(tx);
  if (d.provider === "postgres")
    return closeSucceededPg(
      tx,
      items.map((c) => ({ ...c, lines: [] })),
    );
  const rows = join(
    items.map(
      (c) =>
        sql`SELECT ${d.param(c.taskId, "int")} AS id, ${d.param(c.runId, "int")} AS run_id, ${d.param((c.outcome as { result: string | null }).result, "text")} AS result`,
    ),
    " UNION ALL ",
  );
  const done = await query<{ run_id: unknown }>(
    tx,
    sql`UPDATE tasks SET status = ${targetOf("succeed")}, result = v.result, progress = 100, error = NULL,
               finished_at = ${d.now}, lease_expires_at = NULL, idempotency_key = NULL
        FROM (${rows}) AS v
        WHERE tasks.id = v.id AND tasks.run_id = v.run_id AND ${whenLegal("succeed", { column: raw("tasks.status") })}
        RETURNING tasks.run_id`,
  );
  const applied = new Set(done.map((r) => Number(r.run_id)));
  const closing = items.filter((c) => applied.has(c.runId));
  if (closing.length > 0) {
    const runs = join(
      closing.map((c) => sql`SELECT ${d.param(c.runId, "int")} AS id, ${d.param(Math.round(c.durationMs), "int")} AS duration_ms`),
      " UNION ALL ",
    );
    await execute(
      tx,
      sql`UPDATE runs SET status = ${RUN_SUCCEEDED}, finished_at = ${d.now}, duration_ms = v.duration_ms, error = NULL
          FROM (${runs}) AS v WHERE runs.id = v.id`,
    );
  }
  return applied;
}

/**
 * PostgreSQL: the whole batch in one statement — tasks, runs and the runs' last log lines, by
 * data-modifying CTEs, so it commits atomically without a transaction's extra round trips. The
 * fence is a plain condition on the task row (run_id = ANY(…)), never a join: a heartbeat of
 * the same worker commits new lease times on these rows all the time, and when the UPDATE
 * meets such a newer row version it re-checks it (EvalPlanQual); with a joined subquery that
 * re-check could drop the row — the close was silently not applied and the task later rescued
 * as lost. A run belongs to one task, so "id in the batch and run_id in the batch" is the
 * per-row fence (the id condition also lets the primary key find the rows); each row's own
 * result and duration are picked from the arrays by position. Runs and log lines are written
 * only for the rows the fence let through.
 *
 * The runs are named by `id = ANY(ARRAY(…))`, a primary-key probe each, not by `IN (SELECT …)`:
 * that is a join, and with statistics taken while runs was empty the planner joined by scanning
 * every run for each close (20,000 runs: 130 ms a close, a drain at 1,300 tasks a second).
 *
 * `COALESCE(status, '')` (status is never NULL) keeps the planner off tasks_lease_idx: given
 * `status = 'running'` it ANDed that index's running section with the primary key in a bitmap
 * scan, and in a busy queue that section is mostly entries of dead row versions (every close
 * leaves one, until vacuum), which bitmap scans never mark dead — each close read all of them,
 * 1 ms per close after 30,000 tasks and growing. The primary key alone finds the rows.
 */
export async function closeSucceededPg(conn: Conn, items: PendingClose[]): Promise<Set<number>> {
  const d = dialect(conn);
  const runIds = items.map((c) => c.runId);
  const done = await query<{ run_id: unknown }>(
    conn,
    prepared(sql`WITH done AS (
            UPDATE tasks SET status = ${targetOf("succeed")}, result = (${items.map((c) => (c.outcome as { result: string | null }).result)}::text[])[array_position(${runIds}::int[], run_id)],
                   progress = 100, error = NULL, finished_at = ${d.now}, lease_expires_at = NULL, idempotency_key = NULL
            WHERE id = ANY(${items.map((c) => c.taskId)}::int[]) AND run_id = ANY(${runIds}::int[]) AND ${whenLegal("succeed", { column: raw("COALESCE(status, '')") })}
            RETURNING run_id
          ),
          closed AS (
            UPDATE runs SET status = ${RUN_SUCCEEDED}, finished_at = ${d.now}, error = NULL,
                   duration_ms = (${items.map((c) => Math.round(c.durationMs))}::int[])[array_position(${runIds}::int[], id)]
            WHERE id = ANY(ARRAY(SELECT run_id FROM done))
          ),
          logged AS (${closingLinesPg(items, sql`WHERE v.run_id IN (SELECT run_id FROM done)`)})
        SELECT run_id FROM done`),
  );
  return new Set(done.map((r) => Number(r.run_id)));
}

export async function closeRunNow(conn: Conn, c: PendingClose): Promise<CloseResult> {
  const { taskId, runId, outcome, durationMs } = c;
  const d = dialect(conn);
  // The run still holds the lease, and the task is in a status the outcome's events leave from.
  const fence = (events: Parameters<typeof whenLegal>[0], only?: TaskStatus) =>
    sql`WHERE id = ${taskId} AND run_id = ${runId} AND ${whenLegal(events, { only })}`;
  // Columns every final state clears; the idempotency key is freed for new tasks.
  const finish = sql`finished_at = ${d.now}, lease_expires_at = NULL, idempotency_key = NULL`;
  let update: Sql;
  switch (outcome.kind) {
    case "succeeded":
      update = sql`UPDATE tasks SET status = ${targetOf("succeed")}, result = ${outcome.result}, progress = 100, error = NULL, ${finish} ${fence("succeed")} RETURNING status`;
      break;
    case "cancelled":
      update = sql`UPDATE tasks SET status = ${targetOf("cancel")}, error = ${outcome.error}, changed_at = ${d.now}, ${finish} ${fence("cancel", "running")} RETURNING status`;
      break;
    case "requeued":
      update = sql`UPDATE tasks SET status = ${targetOf("release")}, run_at = ${d.nowPlus(outcome.delayMs)}, max_attempts = max_attempts + 1,
                     lease_expires_at = NULL, worker_id = NULL, changed_at = ${d.now} ${fence("release")} RETURNING status`;
      break;
    case "failed": {
      // Decided in SQL so a cancel requested meanwhile wins over a retry.
      const retry = outcome.retryable ? sql`(NOT cancel_requested AND attempts < max_attempts)` : sql`(1 = 0)`;
      update = sql`UPDATE tasks SET
          status = CASE WHEN ${retry} THEN ${targetOf("retry_later")} WHEN cancel_requested THEN ${targetOf("cancel")} ELSE ${targetOf("fail")} END,
          run_at = CASE WHEN ${retry} THEN ${d.nowPlus(outcome.backoffMs)} ELSE run_at END,
          finished_at = CASE WHEN ${retry} THEN NULL ELSE ${d.now} END,
          idempotency_key = CASE WHEN ${retry} THEN idempotency_key ELSE NULL END,
          worker_id = CASE WHEN ${retry} THEN NULL ELSE worker_id END,
          error = ${outcome.error}, lease_expires_at = NULL, changed_at = ${d.now}
        ${fence(["retry_later", "cancel", "fail"])} RETURNING status`;
      break;
    }
  }
  return transaction(conn, async (tx) => {
    const rows = await query<{ status: TaskStatus }>(tx, update);
    if (rows.length === 0) return { applied: false, taskStatus: null, runStatus: null };
    const taskStatus = rows[0].status;
    const runStatus: RunStatus =
      taskStatus === "cancelled"
        ? "cancelled"
        : outcome.kind === "succeeded"
          ? "succeeded"
          : outcome.kind === "requeued"
            ? outcome.runStatus
            : outcome.kind === "failed"
              ? outcome.timedOut
                ? "timed_out"
                : "failed"
              : "cancelled";
    const error = outcome.kind === "succeeded" ? null : outcome.kind === "requeued" ? outcome.reason : outcome.error;
    await execute(
      tx,
      sql`UPDATE runs SET status = ${runStatus}, finished_at = ${d.now}, duration_ms = ${Math.round(durationMs)}, error = ${error}
          WHERE id = ${runId}`,
    );
    await insertClosingLines(tx, [c]);
    return { applied: true, taskStatus, runStatus };
  });
}
