/**
 * The task state machine: the statuses, the one table of legal transitions, and the retry
 * backoff. The engine's SQL takes its status guards and targets from this table (whenLegal,
 * targetOf), so a statement can only move a task along a transition listed here, and a race
 * loses cleanly (the guard no longer matches) instead of writing an illegal state.
 * tests/integration/transitions.test.ts runs every statement family against a task in every
 * status and checks that only the table's transitions happen.
 */
import { join, raw, sql, type Sql } from "@/db/dialect";

/** Task statuses, frozen so they can be used as values and as a type. */
export const TaskStatus = Object.freeze({
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
} as const);
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];
export const TASK_STATUSES = Object.values(TaskStatus) as TaskStatus[];

/** The status every task is created with. */
export const INITIAL_STATUS: TaskStatus = TaskStatus.queued;

/** Statuses a task never leaves on its own (retry is an explicit user action). */
export const FINISHED_STATUSES: readonly TaskStatus[] = ["succeeded", "failed", "cancelled"];

/** Run (attempt) statuses. `lost`: the worker stopped heartbeating and the lease was rescued. */
export const RunStatus = Object.freeze({
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
  timedOut: "timed_out",
  lost: "lost",
  /** Handed back to the queue: graceful shutdown, or the handler asked to snooze. */
  requeued: "requeued",
} as const);
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** The events that move a task, named after what causes them. */
export type TaskEvent =
  | "claim" // a worker takes a queued task
  | "succeed" // the handler returned
  | "fail" // the handler threw / timed out with no attempts left
  | "retry_later" // the handler threw with attempts left: back to queued with backoff
  | "cancel" // a user cancelled (queued: at once; running: the worker acknowledges)
  | "rescue" // the lease expired with attempts left
  | "rescue_fail" // the lease expired with no attempts left
  | "release" // the worker hands a running task back: shutdown, a claim it could not start, a snooze
  | "retry"; // a user retries a failed or cancelled task

/** The legal transitions: event -> from -> to. Anything not listed is illegal. */
export const TRANSITIONS: Readonly<Record<TaskEvent, Partial<Record<TaskStatus, TaskStatus>>>> = Object.freeze({
  claim: { queued: "running" },
  succeed: { running: "succeeded" },
  fail: { running: "failed" },
  retry_later: { running: "queued" },
  cancel: { queued: "cancelled", running: "cancelled" },
  rescue: { running: "queued" },
  rescue_fail: { running: "failed" },
  release: { running: "queued" },
  retry: { failed: "queued", cancelled: "queued" },
});

/** The status in which a run holds its task's lease: where a claim leads (every run write is fenced on it). */
export const LEASED_STATUS = TRANSITIONS.claim.queued as TaskStatus;

/** Thrown when an event does not apply to a task's current status (the API maps it to 409). */
export class IllegalTransitionError extends Error {
  readonly code = "illegal_transition";
  constructor(
    readonly action: TaskEvent | "delete",
    readonly from: string,
  ) {
    super(`cannot ${action.replace("_", " ")} a task that is ${from}`);
  }
}

/** The status an event leads to from `from`, or null when the transition is illegal. */
export function nextStatus(from: TaskStatus, event: TaskEvent): TaskStatus | null {
  return TRANSITIONS[event][from] ?? null;
}

/** Like nextStatus, but throws IllegalTransitionError. */
export function transition(from: TaskStatus, event: TaskEvent): TaskStatus {
  const to = nextStatus(from, event);
  if (!to) throw new IllegalTransitionError(event, from);
  return to;
}

/** The statuses from which `event` is legal (used in the SQL guards). */
export function fromStatuses(event: TaskEvent): TaskStatus[] {
  return Object.keys(TRANSITIONS[event]) as TaskStatus[];
}

// ------------------------------------------------------------------ the table in SQL

/** A status as an SQL string literal (statuses are fixed identifiers, never user input). */
export function statusSql(status: TaskStatus | RunStatus): Sql {
  return raw(`'${status}'`);
}

const STATUS_COLUMN = raw("status");

/**
 * `<column> = 'a'` for one status, `<column> IN ('a', 'b')` for several. One status is spelled
 * with `=` so that a partial index declared `WHERE status = 'queued'` matches the statement.
 */
export function statusIn(statuses: readonly TaskStatus[], column: Sql = STATUS_COLUMN): Sql {
  if (statuses.length === 0) throw new Error("statusIn needs at least one status");
  if (statuses.length === 1) return sql`${column} = ${statusSql(statuses[0])}`;
  return sql`${column} IN (${join(statuses.map(statusSql), ", ")})`;
}

/**
 * The guard of a status change: the task's status is one from which every event in `events`
 * is legal (a statement that decides among several events in SQL needs them all to be), or
 * only `only`, which must be one of those. `column` is the status expression to test
 * (default `status`).
 */
export function whenLegal(events: TaskEvent | readonly TaskEvent[], opts: { only?: TaskStatus; column?: Sql } = {}): Sql {
  const list = typeof events === "string" ? [events] : events;
  let from = fromStatuses(list[0]).filter((s) => list.every((e) => nextStatus(s, e) !== null));
  if (opts.only) {
    if (!from.includes(opts.only)) throw new Error(`${list.join("/")} is not legal from ${opts.only}`);
    from = [opts.only];
  }
  return statusIn(from, opts.column);
}

/** The status an event leads to, as an SQL literal (for events with one target). */
export function targetOf(event: TaskEvent): Sql {
  const targets = [...new Set(Object.values(TRANSITIONS[event]))];
  if (targets.length !== 1) throw new Error(`${event} leads to ${targets.length} statuses; name the one meant`);
  return statusSql(targets[0] as TaskStatus);
}

/** True when the task has reached a final state. */
export function isFinished(status: string): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

export interface BackoffOptions {
  /** Delay before the 2nd attempt, in ms. */
  baseMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
}

/**
 * Delay before the next attempt after `attempt` attempts have failed: exponential
 * (base * 2^(attempt-1)) capped at max, with "equal jitter" (half fixed, half random) so
 * that many tasks failing together do not retry in lock-step, while the delay still grows.
 * `random` is injectable for tests. Result is in [exp/2, exp] where exp = min(max, base*2^(n-1)).
 */
export function backoffMs(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
  const half = exp / 2;
  return Math.round(half + random() * half);
}
