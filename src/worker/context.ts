/**
 * The TaskContext of one run: buffers log lines and progress and writes them in batches,
 * every write fenced on the run's lease. When a write is refused (the lease is gone), the
 * run's AbortSignal fires with `lease_lost` and nothing more is written.
 */
import { redactUrls } from "@/queue/redact";
import type { Db } from "@/db/client";
import type { QueueConfig } from "@/queue/config";
import { enqueueMany } from "@/queue/enqueue";
import type { EnqueueInput } from "@/queue/input";
import type { LogLevel, Registry, TaskContext } from "@/queue/registry";
import { insertLogLines, upsertResultRows, writeProgress, writeRunInfo, type LogLine } from "@/queue/sql/runWrites";
import { retryOnConnectionError, type Conn } from "@/queue/sql/executor";
import type { ClaimedTask } from "@/queue/sql/claim";
import { RunAborted, type RunAbort } from "./abort";

const LOG_FLUSH_MS = 200;
const LOG_FLUSH_LINES = 500;
const PROGRESS_FLUSH_MS = 500;
const RESULT_CHUNK = 500;
const MAX_MESSAGE = 8_000;
const MAX_DATA = 32_000;

/** Thrown into a handler's writes once its lease is gone. */
export class LeaseLostError extends Error {
  constructor(runId: number) {
    super(`run ${runId} no longer holds its task's lease; its writes are refused`);
  }
}

/** What every run of a worker shares (built once per worker: a RunContext is made per task). */
export interface RunDeps {
  conn: Conn;
  registry: Registry;
  config: QueueConfig;
  /** ctx.compute(fn, input): runs a registered compute function in the pool. */
  compute: (fn: string, input: unknown, signal: AbortSignal) => Promise<unknown>;
}

/** A run's TaskContext (see the module doc). */
export class RunContext<P = unknown> implements TaskContext<P> {
  readonly taskId: number;
  readonly runId: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Created when a handler first logs: most no-op and short handlers never do. */
  private logger: TaskContext["log"] | null = null;

  private seq = 0;
  private buffered: LogLine[] = [];
  private truncated = false;
  private logTimer: NodeJS.Timeout | null = null;
  private pendingProgress: { percent: number; message: string | null } | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private lastProgressAt = 0;
  /** The run's writes in order (serial()); null until the first one. */
  private writes: Promise<unknown> | null = null;
  private closed = false;
  lost = false;

  readonly conn: Conn;
  private readonly maxLines: number;

  constructor(
    private readonly deps: RunDeps,
    task: ClaimedTask,
    readonly payload: P,
    private readonly controller: RunAbort,
  ) {
    this.conn = deps.conn;
    this.maxLines = deps.config.logMaxLines;
    this.taskId = task.id;
    this.runId = task.runId;
    this.attempt = task.attempt;
    this.maxAttempts = task.maxAttempts;
  }

  get log(): TaskContext["log"] {
    if (!this.logger) {
      const at = (level: LogLevel) => (message: string, data?: unknown) => this.append(level, message, data);
      this.logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
    }
    return this.logger;
  }

  /**
   * Leaves seq 1 to the run's first line, "attempt n/m started on worker w", which the log
   * reads render from the run row instead of it being written (src/queue/runLog.ts): a busy
   * queue's runs then write no log row at all unless their handlers log.
   */
  reserveStartLine(): void {
    if (this.seq === 0) this.seq = 1;
  }

  /** Buffers one log line (dropped past the per-run cap, with one visible marker). */
  append(level: LogLevel, message: string, data?: unknown): void {
    if (this.closed || this.lost) return;
    if (this.seq >= this.maxLines) {
      if (!this.truncated) {
        this.truncated = true;
        this.push("warn", `log truncated: more than ${this.maxLines} lines; later lines are dropped`, undefined);
      }
      return;
    }
    this.push(level, message, data);
  }

  private push(level: LogLevel, message: string, data: unknown): void {
    let json: string | null = null;
    if (data !== undefined) {
      try {
        json = JSON.stringify(data);
      } catch {
        json = JSON.stringify(String(data));
      }
      if (json !== undefined && json.length > MAX_DATA) json = JSON.stringify({ truncated: json.slice(0, MAX_DATA) });
    }
    // URLs in log lines are redacted here, once for every handler (src/queue/redact.ts).
    const text = redactUrls(String(message));
    if (json !== null) json = redactUrls(json);
    this.buffered.push({
      seq: ++this.seq,
      ts: new Date(),
      level,
      message: text.length > MAX_MESSAGE ? text.slice(0, MAX_MESSAGE) + "…" : text,
      data: json ?? null,
    });
    if (this.buffered.length >= LOG_FLUSH_LINES) void this.flushLogs();
    else this.logTimer ??= setTimeout(() => void this.flushLogs(), LOG_FLUSH_MS);
  }

  progress(percent: number, message?: string): void {
    if (this.closed || this.lost) return;
    const p = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
    this.pendingProgress = { percent: p, message: message === undefined ? null : redactUrls(String(message)).slice(0, 500) };
    if (this.progressTimer) return;
    const wait = Math.max(0, this.lastProgressAt + PROGRESS_FLUSH_MS - Date.now());
    this.progressTimer = setTimeout(() => void this.flushProgress(), wait);
  }

  async addResults(rows: { key: string; data: unknown }[]): Promise<void> {
    if (this.lost) throw new LeaseLostError(this.runId);
    for (let i = 0; i < rows.length; i += RESULT_CHUNK) {
      const chunk = rows.slice(i, i + RESULT_CHUNK).map((r) => ({ key: String(r.key), data: JSON.stringify(r.data ?? null) }));
      // Writes of a run are fenced and keyed, so they are retried across a lost connection.
      const ok = await this.serial(() => retryOnConnectionError(() => upsertResultRows(this.conn, this.taskId, this.runId, chunk)));
      if (!ok) this.leaseLost();
      if (this.lost) throw new LeaseLostError(this.runId);
    }
  }

  async runInfo(info: Record<string, unknown>): Promise<void> {
    if (this.lost) throw new LeaseLostError(this.runId);
    const json = redactUrls(JSON.stringify(info)).slice(0, MAX_DATA);
    const ok = await this.serial(() => retryOnConnectionError(() => writeRunInfo(this.conn, this.taskId, this.runId, json)));
    if (!ok) this.leaseLost();
    if (this.lost) throw new LeaseLostError(this.runId);
  }

  logsWritten(): Promise<void> {
    return this.flushLogs();
  }

  /** The run's AbortSignal, created when first asked for (see RunAbort). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get db(): Db {
    return this.conn.db as Db;
  }

  compute<O = unknown>(fn: string, input: unknown): Promise<O> {
    this.signal.throwIfAborted();
    return this.deps.compute(fn, input, this.signal) as Promise<O>;
  }

  async enqueueMany(inputs: EnqueueInput[], opts?: { batchId?: string }): Promise<{ batchId: string; ids: number[] }> {
    const { batchId, ids } = await enqueueMany(this.conn, this.deps.registry, inputs, opts);
    return { batchId, ids };
  }

  /**
   * Ends the run's writes before it is closed: progress and every log write already started
   * are written; the lines still buffered are returned, to be written by the close itself (in
   * its transaction, only if it is applied) rather than by a statement of their own.
   */
  finish(): LogLine[] | Promise<LogLine[]> {
    // Nothing written or pending (a short handler's usual case): no promise to wait for.
    if (!this.writes && !this.pendingProgress) return this.closeWith();
    return this.flushProgress()
      .then(() => this.writes)
      .then(() => this.closeWith());
  }

  /** close(), returning the lines still buffered for the close to write. */
  private closeWith(): LogLine[] {
    const lines = this.lost ? [] : this.buffered;
    this.close();
    return lines;
  }

  /** Stops accepting writes (the run is closed or abandoned). */
  close(): void {
    this.closed = true;
    if (this.logTimer) clearTimeout(this.logTimer);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.logTimer = this.progressTimer = null;
    this.buffered = [];
    this.pendingProgress = null;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.writes ? this.writes.then(fn, fn) : fn();
    this.writes = next.catch(() => undefined);
    return next;
  }

  /** Resolves when the writes started so far are over. */
  private settled(): Promise<void> {
    return this.writes ? this.writes.then(() => undefined) : Promise.resolve();
  }

  private leaseLost(): void {
    if (this.lost) return;
    this.lost = true;
    this.close();
    this.controller.abort(new RunAborted("lease_lost", "the run lost its lease"));
  }

  private flushLogs(): Promise<void> {
    if (this.logTimer) clearTimeout(this.logTimer);
    this.logTimer = null;
    const lines = this.buffered;
    this.buffered = [];
    if (lines.length === 0 || this.lost) return this.settled();
    return this.serial(async () => {
      try {
        if (!(await retryOnConnectionError(() => insertLogLines(this.conn, this.taskId, this.runId, lines)))) this.leaseLost();
      } catch (err) {
        // A failed log write must not fail the task; the lines are lost, the run goes on.
        console.error(`[worker] run ${this.runId}: writing ${lines.length} log lines failed: ${(err as Error).message}`);
      }
    });
  }

  private flushProgress(): Promise<void> {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    const p = this.pendingProgress;
    this.pendingProgress = null;
    if (!p || this.lost) return this.settled();
    this.lastProgressAt = Date.now();
    return this.serial(async () => {
      try {
        if (!(await retryOnConnectionError(() => writeProgress(this.conn, this.taskId, this.runId, p.percent, p.message)))) this.leaseLost();
      } catch (err) {
        console.error(`[worker] run ${this.runId}: writing progress failed: ${(err as Error).message}`);
      }
    });
  }
}
