/**
 * Closing a run: the task's next state and the run's final state, written once, and only
 * while the run still holds the task's lease (status running and run_id = this run). A run
 * that lost its lease (rescued, cancelled and abandoned, timed out) gets `applied: false`
 * and changes nothing.
 */
import { noteChange } from "./changes";
import { closeRunNow, closeSucceeded, closeSucceededPg, type CloseResult, type PendingClose, type RunOutcome } from "./closeRun";
import { dialect, transaction, type Conn } from "./executor";
import { insertClosingLines, type LogLine } from "./runWrites";

export type { CloseResult, RunOutcome };

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
  if (conn.inTransaction || !conn.native) return closeRunNow(conn, { taskId, runId, outcome, durationMs, lines }).finally(() => noteChange(conn));
  let batcher = batchers.get(conn.native);
  if (!batcher) batchers.set(conn.native, (batcher = new CloseBatcher(conn)));
  return batcher.add(taskId, runId, outcome, durationMs, lines);
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
        noteChange(this.conn);
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
