/**
 * Task types: what a handler declares about itself, and the registry the API validates
 * against and the worker dispatches on.
 *
 *   defineTask({ name: "sleep", category: "demo", queue: "default", mode: "fast",
 *                schema: z.object({ ms: z.number() }), run: async (ctx) => { … } })
 *
 * `fast` handlers run on the worker's event loop and get a TaskContext. `compute` handlers
 * run in a worker thread: `compute(input, report)` gets plain data and returns plain data
 * (it never touches the database); optional `prepare(ctx)` builds the input and
 * `finish(ctx, output)` stores the output, both on the main thread.
 */
import { z } from "zod";
import type { Db } from "@/db/client";
import type { EnqueueInput } from "./input";
import type { Conn } from "./sql/executor";

export type LogLevel = "debug" | "info" | "warn" | "error";

/** What a running fast handler (or a compute handler's prepare/finish) can do. */
export interface TaskContext<P = unknown> {
  taskId: number;
  runId: number;
  attempt: number;
  maxAttempts: number;
  payload: P;
  /** Aborted on cancel, timeout and shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  /**
   * The database, for the handler's own domain reads and writes (task state, logs and results
   * go through the methods below, which are fenced on the run's lease).
   */
  db: Db;
  /** The engine's connection, for maintenance handlers that call engine functions (e.g. retention). */
  conn: Conn;
  /** Structured log lines, batched and written in order. */
  log: Record<LogLevel, (message: string, data?: unknown) => void>;
  /** Progress 0–100 with an optional message; writes are throttled. */
  progress(percent: number, message?: string): void;
  /** Appends (or replaces, same key) paginated result rows. */
  addResults(rows: { key: string; data: unknown }[]): Promise<void>;
  /**
   * Records what this run ran (JSON, replacing what was recorded before), shown with the run:
   * a script's command line, process id, host and exit. Fenced like every write of a run.
   */
  runInfo(info: Record<string, unknown>): Promise<void>;
  /**
   * Writes the log lines buffered so far and resolves when they are stored: a handler that
   * relays a fast producer's output (a script's stdout) waits on it to apply back-pressure.
   */
  logsWritten(): Promise<void>;
  /**
   * Runs a named compute function (see ComputeFunctions) in the worker's thread pool and
   * returns its output; several calls run in parallel up to JOB_NUM threads. Aborts with the
   * run (the thread is terminated).
   */
  compute<O = unknown>(fn: string, input: unknown): Promise<O>;
  /**
   * Enqueues tasks of the worker's own catalogue in one transaction, under one batch id (the
   * given one, or a new one): how a handler starts follow-up work, e.g. a group its children.
   */
  enqueueMany(inputs: EnqueueInput[], opts?: { batchId?: string }): Promise<{ batchId: string; ids: number[] }>;
}

/**
 * Pure CPU-bound functions a registry module exports as `computeFunctions`, callable from
 * fast handlers through ctx.compute(name, input): plain data in, plain data out.
 */
export type ComputeFunctions = Record<string, (input: never, report: ComputeReport) => unknown>;

/** Reports progress from a compute thread. */
export type ComputeReport = (percent: number, message?: string) => void;

interface Common<P> {
  name: string;
  title: string;
  description?: string;
  /** A grouping for people (the dashboard's tabs); the engine does not read it. */
  category: string;
  queue: string;
  timeoutMs: number;
  maxAttempts: number;
  /** Default priority (100–900). */
  priority?: number;
  schema: z.ZodType<P>;
  /**
   * Why a task of this type with `payload` cannot run as the server is configured (its data
   * source has no URL, say), or null. Schedules of such a task stay disabled and say why,
   * instead of failing every run. `registry` lets a type that runs others (a group) ask them.
   */
  unavailable?(payload: unknown, registry: Registry): string | null;
  /**
   * The least role that may enqueue, schedule or retry a task of this type (default
   * "operator"); maintenance that deletes or rewrites data says "admin". The engine does not
   * read it: the API enforces it on every path that makes a task (src/server/taskAccess.ts).
   */
  role?: "operator" | "admin";
  /**
   * The tasks a task of this type enqueues from its payload (a group: its children), so that
   * checks on them (the role above, the API's timeout limit) apply when the outer task is submitted.
   */
  inner?(payload: unknown): { type: string; payload: unknown; timeoutMs?: number | null }[];
  /**
   * The payload field (YYYY-MM-DD) that makes a run compute "as of" a past day; types with it
   * can be backfilled over a date range.
   */
  asOfField?: string;
}

/** A handler on the event loop. Its return value (JSON) becomes the task's result. */
export interface FastTask<P = unknown> extends Common<P> {
  mode: "fast";
  run(ctx: TaskContext<P>): Promise<unknown>;
}

/** A CPU-bound handler run in the worker's thread pool. */
export interface ComputeTask<P = unknown, I = unknown, O = unknown> extends Common<P> {
  mode: "compute";
  prepare?(ctx: TaskContext<P>): Promise<I>;
  compute(input: I, report: ComputeReport): O | Promise<O>;
  finish?(ctx: TaskContext<P>, output: O): Promise<unknown>;
}

// Handlers are contravariant in their payload type, so a registry of different types can
// only hold them with the payload erased; the schema re-establishes it at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskDefinition = FastTask<any> | ComputeTask<any, any, any>;

/** Typed identity helper so handlers infer their payload type from the schema. */
export function defineTask<P>(def: FastTask<P>): FastTask<P>;
export function defineTask<P, I, O>(def: ComputeTask<P, I, O>): ComputeTask<P, I, O>;
export function defineTask(def: unknown) {
  return def;
}

/** Handler outcome: stop now, as cancelled, without retrying. */
export class TaskCancel extends Error {
  readonly outcome = "cancel";
}

/** Handler outcome: not now; back to the queue after delayMs without using an attempt. */
export class TaskSnooze extends Error {
  readonly outcome = "snooze";
  constructor(
    readonly delayMs: number,
    message = `snoozed for ${delayMs} ms`,
  ) {
    super(message);
  }
}

/** Handler outcome: fail for good; retrying would not help (e.g. bad data). */
export class TaskFailPermanently extends Error {
  readonly outcome = "fail_permanently";
}

/** Why a task of `type` with `payload` cannot run as configured (its type's unavailable()), or null. */
export function unavailableReason(registry: Registry, type: string, payload: unknown): string | null {
  return registry.get(type)?.unavailable?.(payload, registry) ?? null;
}

/**
 * The least role that may submit a task of `type` with `payload`: the type's own, raised by
 * any inner task's (a group holding a maintenance task needs an admin). Unknown types count
 * as "operator"; enqueueing refuses them anyway.
 */
export function leastRoleFor(registry: Registry, type: string, payload: unknown): "operator" | "admin" {
  const def = registry.get(type);
  if (!def) return "operator";
  if (def.role === "admin") return "admin";
  let inner: { type: string; payload: unknown }[] = [];
  try {
    inner = def.inner?.(payload) ?? [];
  } catch {
    // A payload the type cannot read is refused by its schema, whatever the role.
  }
  return inner.some((t) => t.type !== type && leastRoleFor(registry, t.type, t.payload) === "admin") ? "admin" : "operator";
}

/** A set of task types by name. */
export class Registry {
  private readonly types = new Map<string, TaskDefinition>();

  constructor(defs: readonly TaskDefinition[] = []) {
    for (const d of defs) this.add(d);
  }

  /** Adds a type; names are unique. */
  add(def: TaskDefinition): this {
    if (this.types.has(def.name)) throw new Error(`task type ${def.name} registered twice`);
    this.types.set(def.name, def);
    return this;
  }

  get(name: string): TaskDefinition | undefined {
    return this.types.get(name);
  }

  has(name: string): boolean {
    return this.types.has(name);
  }

  list(): TaskDefinition[] {
    return [...this.types.values()];
  }

  names(): string[] {
    return [...this.types.keys()];
  }
}
