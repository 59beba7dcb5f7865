/**
 * Executing one claimed task: run its handler with an AbortSignal (cancel, timeout,
 * shutdown, lease lost), turn what happened into a RunOutcome, and close the run. A fast
 * handler that ignores its signal is abandoned after the grace period: the run is closed
 * anyway and whatever the handler writes later is refused by the lease fence.
 */
import { backoffMs } from "@/queue/states";
import { projectRelative, redactUrls } from "@/queue/redact";
import { TaskCancel, TaskFailPermanently, TaskSnooze, type TaskDefinition } from "@/queue/registry";
import { closeRun, type RunOutcome } from "@/queue/sql/complete";
import type { ClaimedTask } from "@/queue/sql/claim";
import { retryOnConnectionError } from "@/queue/sql/executor";
import { RunAborted, abortKind, type RunAbort } from "./abort";
import { RunContext, type RunDeps } from "./context";
import type { ComputePool } from "./compute-pool";

/** Largest task result kept as JSON; bigger outputs belong in result rows. */
const MAX_RESULT_BYTES = 1024 * 1024;

const ABANDONED = Symbol("abandoned");

/** What executing a task needs: the run's shared dependencies, the pool and the worker's log. */
export interface ExecuteDeps extends RunDeps {
  workerId: string;
  pool: () => ComputePool;
  log: (message: string) => void;
}

/**
 * Runs `task` to the end (or abandonment) and closes its run. `controller` is the run's abort
 * switch; `handlerDone` is called when the handler is over, before the close is written.
 */
export async function executeTask(deps: ExecuteDeps, task: ClaimedTask, controller: RunAbort, handlerDone?: () => void): Promise<void> {
  const started = performance.now();
  const def = deps.registry.get(task.type);
  const { payload, problem } = parsePayload(def, task.payload);
  const ctx = new RunContext(deps, task, payload, controller);
  const timeout = setTimeout(() => controller.abort(new RunAborted("timeout", `timed out after ${task.timeoutMs} ms`)), task.timeoutMs);
  // Aborted while it waited for a slot (cancelled, handed back): its handler never starts, and
  // its closing line takes seq 1, where the rendered start line would be, so none is shown.
  if (!controller.aborted) ctx.reserveStartLine();

  let outcome: RunOutcome | null;
  try {
    controller.throwIfAborted();
    if (!def || problem) throw new TaskFailPermanently(problem ?? `no handler registered for task type ${task.type}`);
    const value = await untilAbandoned(runHandler(deps, def, ctx, task), controller, deps.config.abandonMs);
    if (value === ABANDONED) ctx.log.warn(`handler ignored its abort signal for ${deps.config.abandonMs} ms and was abandoned`);
    outcome = controller.aborted ? abortedOutcome(controller, deps, task) : succeeded(value);
  } catch (err) {
    outcome = controller.aborted ? abortedOutcome(controller, deps, task) : thrownOutcome(err, deps, task);
  } finally {
    clearTimeout(timeout);
    handlerDone?.();
  }

  if (outcome === null || ctx.lost) {
    ctx.close();
    deps.log(`run ${task.runId} (task ${task.id}) lost its lease; nothing more is written`);
    return;
  }
  // A success's closing line is rendered from the run row by the log reads, like the start line.
  if (outcome.kind !== "succeeded") ctx.log[outcome.kind === "requeued" ? "warn" : "error"](closingLine(outcome, task));
  const lines = await ctx.finish();
  // Retried across a lost connection: closing is fenced, so a repeat of a close that did commit
  // is refused (applied: false) rather than applied twice; giving up would leave the task
  // running until its lease expired and run it again.
  const duration = performance.now() - started;
  const closed = await retryOnConnectionError(() => closeRun(deps.conn, task.id, task.runId, outcome, duration, lines));
  if (!closed.applied) deps.log(`run ${task.runId} (task ${task.id}) could not be closed: it no longer holds the lease`);
}

/** The stored payload parsed and checked against the type's schema (defaults applied). */
function parsePayload(def: TaskDefinition | undefined, text: string): { payload: unknown; problem: string | null } {
  if (!def) return { payload: null, problem: null };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { payload: null, problem: "payload is not valid JSON" };
  }
  const parsed = def.schema.safeParse(raw);
  return parsed.success
    ? { payload: parsed.data, problem: null }
    : { payload: raw, problem: `payload does not match the schema of ${def.name}: ${parsed.error.message}` };
}

async function runHandler(deps: ExecuteDeps, def: TaskDefinition, ctx: RunContext, task: ClaimedTask): Promise<unknown> {
  const typed = ctx as RunContext<never>;
  if (def.mode === "fast") return def.run(typed);
  const input = def.prepare ? await def.prepare(typed) : ctx.payload;
  ctx.signal.throwIfAborted();
  const output = await deps.pool().run(task.type, input, ctx.signal, (p, m) => ctx.progress(p, m));
  return def.finish ? def.finish(typed, output as never) : output;
}

/** Resolves with the handler's value, or with ABANDONED when it outlives an abort by `graceMs`. */
function untilAbandoned<T>(work: Promise<T>, run: RunAbort, graceMs: number): Promise<T | typeof ABANDONED> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | null = null;
    const stopListening = run.onAbort(() => {
      timer = setTimeout(() => resolve(ABANDONED), graceMs);
    });
    // Written out twice rather than as a named helper: tsx (esbuild's keepNames) wraps every
    // named closure in __name(), an Object.defineProperty per task — 2% of a SQLite drain's CPU.
    work.then(
      (value) => {
        if (timer) clearTimeout(timer);
        stopListening();
        resolve(value);
      },
      (err: unknown) => {
        if (timer) clearTimeout(timer);
        stopListening();
        reject(err);
      },
    );
  });
}

function succeeded(value: unknown): RunOutcome {
  let result = value === undefined ? null : JSON.stringify(value);
  if (result && Buffer.byteLength(result) > MAX_RESULT_BYTES) {
    result = JSON.stringify({ truncated: true, note: `result larger than ${MAX_RESULT_BYTES} bytes; store large results as result rows` });
  }
  return { kind: "succeeded", result: result ?? null };
}

function abortedOutcome(run: RunAbort, deps: ExecuteDeps, task: ClaimedTask): RunOutcome | null {
  const reason = run.reason instanceof RunAborted ? run.reason.message : "aborted";
  switch (abortKind(run)) {
    case "timeout":
      return { kind: "failed", error: reason, retryable: true, timedOut: true, backoffMs: backoffMs(task.attempt, deps.config.backoff) };
    case "shutdown":
      return { kind: "requeued", delayMs: 0, reason: "worker shut down before the task finished", runStatus: "requeued" };
    case "release":
      return { kind: "requeued", delayMs: 0, reason, runStatus: "requeued" };
    case "lease_lost":
      return null;
    default:
      return { kind: "cancelled", error: "cancelled by request" };
  }
}

function thrownOutcome(err: unknown, deps: ExecuteDeps, task: ClaimedTask): RunOutcome {
  // Redacted like log lines (an error message often names the URL that failed); stack paths relative to the project.
  const error = redactUrls(projectRelative(err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err)));
  if (err instanceof TaskCancel) return { kind: "cancelled", error: err.message || "cancelled by the handler" };
  if (err instanceof TaskSnooze) return { kind: "requeued", delayMs: err.delayMs, reason: err.message, runStatus: "requeued" };
  const retryable = !(err instanceof TaskFailPermanently);
  return { kind: "failed", error, retryable, timedOut: false, backoffMs: backoffMs(task.attempt, deps.config.backoff) };
}

/** The stored last line of a run that did not succeed (a success's is rendered: src/queue/runLog.ts). */
function closingLine(o: Exclude<RunOutcome, { kind: "succeeded" }>, task: ClaimedTask): string {
  switch (o.kind) {
    case "cancelled":
      return `cancelled: ${o.error ?? ""}`.trim();
    case "requeued":
      return `handed back to the queue: ${o.reason}`;
    case "failed":
      // What the SQL will decide, unless a cancel request arrives in between (then the run ends cancelled).
      return `${o.timedOut ? "timed out" : "failed"}: ${o.error.split("\n")[0]} (${!o.retryable ? "not retried" : task.attempt < task.maxAttempts ? `will retry: attempt ${task.attempt} of ${task.maxAttempts}` : "no attempts left"})`;
  }
}
