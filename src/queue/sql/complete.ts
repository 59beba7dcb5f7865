/**
 * Closing a run: the task's next state and the run's final state, written once, and only
 * while the run still holds the task's lease (status running and run_id = this run). A run
 * that lost its lease (rescued, cancelled and abandoned, timed out) gets `applied: false`
 * and changes nothing.
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

/**
 * Writes the outcome of run `runId` of task `taskId`, fenced on the lease, with the run's last
 * log `lines` (written only if the close is applied, in the same transaction). Closes that
 * arrive together are group-committed: one transaction for every close pending when the
 * previous one finished, instead of one per task (each close keeps its own fence and its own
 * result).
 */
export function closeRun(
  conn: Conn,
  taskId: number,
  runId: number,
  outcome: RunOutcome,
  durationMs: number,
  lines: LogLine[] = [],
): Promise<CloseResult> {
  // Inside a caller's transaction, or without a native driver: write it now, in that context.
  if (conn.inTransaction || !conn.native) return closeRunNow(conn, { taskId, runId, outcome, durationMs, lines });
  let batcher = batchers.get(conn.native);
  if (!batcher) batchers.set(conn.native, (batcher = new CloseBatcher(conn)));
  return batcher.add(taskId, runId, outcome, durationMs, lines);
}

interface PendingClose {
  taskId: number;
  runId: number;
  outcome: RunOutcome;
  durationMs: number;
  lines: LogLine[];
  resolve?: (r: CloseResult) => void;
  reject?: (err: unknown) => void;
}

/** Most closes written in one transaction. */
const MAX_CLOSE_BATCH = 200;
/** SQLite: a batch this small waits (see gather()) … */
const GATHER_TARGET = 64;
/** … at most this many more turns of the event loop. */
const GATHER_TURNS = 4;
/**
 * PostgreSQL: batches written at once, each on a connection of its own. In a busy drain the
 * close statement is in flight nearly all the time and a batch's closes wait behind it; with
 * a second one in flight both cores work on closes while the other waits for its commit or
 * for the CPU: 10% more tasks a second at concurrency 50 (8 of 10 interleaved pairs), the
 * same at 10. Three were 5% slower: smaller batches contending for the same two cores. The
 * batches hold different runs, so they never wait on each other's rows.
 */
const PG_FLUSHERS = 2;
const batchers = new WeakMap<object, CloseBatcher>();

class CloseBatcher {
  private pending: PendingClose[] = [];
  /** Batches being written now. */
  private flushing = 0;
  private readonly maxFlushing: number;

  constructor(private readonly conn: Conn) {
    this.maxFlushing = dialect(conn).provider === "postgres" ? PG_FLUSHERS : 1;
  }

  add(taskId: number, runId: number, outcome: RunOutcome, durationMs: number, lines: LogLine[]): Promise<CloseResult> {
    return new Promise((resolve, reject) => {
      // A literal, not `{ ...item, resolve, reject }`: V8 builds such a spread on its slow path,
      // about 3 µs a close, 25 times the literal.
      this.pending.push({ taskId, runId, outcome, durationMs, lines, resolve, reject });
      // setImmediate: closes finishing in the same turn of the event loop join one batch.
      if (this.flushing < this.maxFlushing && this.pending.length === 1) setImmediate(() => this.gather(0));
    });
  }

  /**
   * SQLite's commits are synchronous, so no closes pile up while one is written, as they do
   * behind a PostgreSQL round trip: wait up to GATHER_TURNS more turns of the event loop
   * while a batch is small. A turn of an idle worker takes microseconds, so this costs a
   * lone close nothing; a busy worker starts more handlers in those turns and commits once.
   */
  private gather(turns: number): void {
    if (dialect(this.conn).provider === "sqlite" && turns < GATHER_TURNS && this.pending.length < GATHER_TARGET) {
      setImmediate(() => this.gather(turns + 1));
      return;
    }
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing >= this.maxFlushing) return;
    this.flushing++;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_CLOSE_BATCH);
        let results: CloseResult[] | null = null;
        try {
          // PostgreSQL, successes only (a busy queue's usual batch): one statement, no transaction round trips.
          if (dialect(this.conn).provider === "postgres" && batch.every((c) => c.outcome.kind === "succeeded")) {
            const applied = await closeSucceededPg(this.conn, batch);
            results = batch.map((c) => succeededResult(applied, c.runId));
          } else
            results = await transaction(this.conn, async (tx) => {
              // Successes (nearly all of a busy queue) are closed with two statements for the whole batch.
              const ok = batch.filter((c) => c.outcome.kind === "succeeded");
              const applied = ok.length > 1 ? await closeSucceeded(tx, ok) : null;
              // Lines of closes applied above are written below, with the others'.
              const out: CloseResult[] = [];
              for (const c of batch) {
                if (applied && c.outcome.kind === "succeeded") out.push(succeededResult(applied, c.runId));
                else out.push(await closeRunNow(tx, { ...c, lines: [] }));
              }
              // The last lines of every applied close, in one statement.
              await insertClosingLines(
                tx,
                batch.filter((c, i) => out[i].applied && c.lines.length > 0),
              );
              return out;
            });
        } catch {
          // One bad close must not fail the others: on any error, close each on its own.
          results = null;
        }
        if (results) batch.forEach((c, i) => c.resolve?.(results[i]));
        else
          for (const c of batch)
            await closeRunNow(this.conn, c).then(
              (r) => c.resolve?.(r),
              (err: unknown) => c.reject?.(err),
            );
      }
    } finally {
      this.flushing--;
    }
  }
}

/** The result of a close written by a batch of successes: applied if the batch's fence let its run through. */
function succeededResult(applied: Set<number>, runId: number): CloseResult {
  return applied.has(runId)
    ? { applied: true, taskStatus: "succeeded", runStatus: "succeeded" }
    : { applied: false, taskStatus: null, runStatus: null };
}

/**
 * Closes many succeeded runs at once, each fenced on its own lease exactly as closeRunNow does;
 * returns the run ids that were applied. The rows are a UNION ALL of SELECTs rather than a
 * VALUES list because SQLite cannot name the columns of VALUES.
 */
async function closeSucceeded(tx: Conn, items: PendingClose[]): Promise<Set<number>> {
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
 * `COALESCE(status, '')` (status is never NULL) keeps the planner off tasks_lease_idx: given
 * `status = 'running'` it ANDed that index's running section with the primary key in a bitmap
 * scan, and in a busy queue that section is mostly entries of dead row versions (every close
 * leaves one, until vacuum), which bitmap scans never mark dead — each close read all of them,
 * 1 ms per close after 30,000 tasks and growing. The primary key alone finds the rows.
 */
async function closeSucceededPg(conn: Conn, items: PendingClose[]): Promise<Set<number>> {
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
            WHERE id IN (SELECT run_id FROM done)
          ),
          logged AS (${closingLinesPg(items, sql`WHERE v.run_id IN (SELECT run_id FROM done)`)})
        SELECT run_id FROM done`),
  );
  return new Set(done.map((r) => Number(r.run_id)));
}

async function closeRunNow(conn: Conn, c: PendingClose): Promise<CloseResult> {
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
      update = sql`UPDATE tasks SET status = ${targetOf("cancel")}, error = ${outcome.error}, ${finish} ${fence("cancel", "running")} RETURNING status`;
      break;
    case "requeued":
      update = sql`UPDATE tasks SET status = ${targetOf("release")}, run_at = ${d.nowPlus(outcome.delayMs)}, max_attempts = max_attempts + 1,
                     lease_expires_at = NULL, worker_id = NULL ${fence("release")} RETURNING status`;
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
          error = ${outcome.error}, lease_expires_at = NULL
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
