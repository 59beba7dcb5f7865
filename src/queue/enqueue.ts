/**
 * Enqueueing: checks a task against its registered type (name, payload schema), applies the
 * type's defaults, and inserts through sql/enqueue.ts. Works on a client or inside a
 * caller's transaction (pass a Conn made from the transaction client), so that a business
 * write and its task commit or roll back together.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { EnqueueInput } from "./input";
import type { Registry } from "./registry";
import { insertTasks, type TaskInsert } from "./sql/enqueue";
import type { Conn } from "./sql/executor";

export type { EnqueueInput };

/** The largest payload accepted, as JSON text. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const PRIORITY = { min: 100, max: 900, default: 500 } as const;

/** A task that cannot be enqueued as asked (the API maps it to 400 with details). */
export class InvalidTaskError extends Error {
  readonly code = "invalid_task";
  constructor(
    message: string,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

/** Validates one input against the registry and turns it into a row. */
export function prepareTask(registry: Registry, input: EnqueueInput, index?: number): TaskInsert {
  const at = index === undefined ? "" : `tasks[${index}]: `;
  const def = registry.get(input.type);
  if (!def) throw new InvalidTaskError(`${at}unknown task type ${JSON.stringify(input.type)}`, { known_types: registry.names() });
  const parsed = (def.schema as z.ZodType).safeParse(input.payload ?? {});
  if (!parsed.success) {
    throw new InvalidTaskError(`${at}payload does not match the schema of ${def.name}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    });
  }
  const payload = JSON.stringify(parsed.data ?? {});
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) throw new InvalidTaskError(`${at}payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  const priority = input.priority ?? def.priority ?? PRIORITY.default;
  if (!Number.isInteger(priority) || priority < PRIORITY.min || priority > PRIORITY.max) {
    throw new InvalidTaskError(`${at}priority must be an integer from ${PRIORITY.min} to ${PRIORITY.max}`);
  }
  return {
    type: def.name,
    queue: input.queue ?? def.queue,
    payload,
    priority,
    runAt: input.runAt ?? null,
    delayMs: Math.max(0, input.delayMs ?? 0),
    maxAttempts: input.maxAttempts ?? def.maxAttempts,
    timeoutMs: input.timeoutMs ?? def.timeoutMs,
    batchId: input.batchId ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    parentId: input.parentId ?? null,
    scheduleId: input.scheduleId ?? null,
    createdBy: input.createdBy ?? null,
  };
}

/** Enqueues one task. `created` is false when an unfinished task already held the idempotency key. */
export async function enqueue(conn: Conn, registry: Registry, input: EnqueueInput): Promise<{ id: number; created: boolean }> {
  const [outcome] = await insertTasks(conn, [prepareTask(registry, input)]);
  return outcome;
}

/**
 * Enqueues many tasks in one transaction (all or none). They share a batch id: the one
 * given, or a new one.
 */
export async function enqueueMany(
  conn: Conn,
  registry: Registry,
  inputs: EnqueueInput[],
  opts: { batchId?: string } = {},
): Promise<{ batchId: string; ids: number[]; created: boolean[] }> {
  const batchId = opts.batchId ?? randomUUID();
  const rows = inputs.map((input, i) => prepareTask(registry, { ...input, batchId: input.batchId ?? batchId }, i));
  const outcomes = await insertTasks(conn, rows);
  return { batchId, ids: outcomes.map((o) => o.id), created: outcomes.map((o) => o.created) };
}
