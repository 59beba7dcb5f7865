/**
 * Queues: their figures, pause and resume, and their cluster-wide limits (max_running, a
 * start rate, max_running per payload key), which every worker's claim enforces.
 */
import { z } from "zod";
import { endpoint } from "./endpoint";
import { QueueName } from "./tasks";


export const QueueParams = z.object({ name: QueueName });

/** At most `limit` task starts per second or per minute, spaced evenly (no burst at a window's start). */
export const RateLimit = z
  .object({
    limit: z.number().int().min(1).max(100_000),
    per: z.enum(["second", "minute"]),
  })
  .strict();
export type RateLimit = z.infer<typeof RateLimit>;

/** At most `max_running` tasks running at once per value of payload field `field`. */
export const PerKeyLimit = z
  .object({
    field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "must be a top-level payload field name"),
    max_running: z.number().int().min(1).max(10_000),
  })
  .strict();
export type PerKeyLimit = z.infer<typeof PerKeyLimit>;

/** A queue's limits; null: no such limit. */
export const QueueLimitsBody = z
  .object({
    max_running: z.number().int().min(1).max(100_000).nullable().default(null),
    rate: RateLimit.nullable().default(null),
    per_key: PerKeyLimit.nullable().default(null),
  })
  .strict();
export type QueueLimitsBody = z.infer<typeof QueueLimitsBody>;

/**
 * The catalogue's `queues:` section: queue name → its limits, e.g.
 * `crawl: { max_running: 4, rate: { limit: 5, per: second } }`. A queue's pause is not
 * configuration (it is an operator's action), so it is not here.
 */
export const QueuesSection = z.record(QueueName, QueueLimitsBody);
export type QueuesSection = z.infer<typeof QueuesSection>;

/** What importing a `queues:` section changes (replace mode removes the limits of queues it does not name). */
export const QueuesImportResult = z.object({
  changes: z.array(z.object({ name: z.string(), action: z.enum(["add", "change", "remove"]), fields: z.array(z.string()) })),
  unchanged: z.number(),
});

export const QueueJson = z.object({
  name: z.string(),
  /** Tasks by status (every status present, 0 when none), as the overview counts them (at most a few seconds old). */
  counts: z.record(z.string(), z.number()),
  paused: z.boolean(),
  paused_by: z.string().nullable(),
  paused_at: z.string().nullable(),
  limits: z.object({ max_running: z.number().nullable(), rate: RateLimit.nullable(), per_key: PerKeyLimit.nullable() }),
  /** Seconds the longest-waiting due task has waited since it fell due (null: none due). */
  oldest_queued_age_s: z.number().nullable(),
  /** Live workers serving it. */
  workers: z.array(z.object({ id: z.string(), host: z.string(), limit: z.number().nullable() })),
  /** Declared in the catalogue's queues: section. */
  from_catalogue: z.boolean(),
});
export type QueueJson = z.infer<typeof QueueJson>;

const One = z.object({ queue: QueueJson });

export const listQueues = endpoint({
  method: "GET",
  path: "/api/queues",
  role: "viewer",
  tag: "queues",
  summary: "Every queue (served by a worker, named by a task type, holding tasks, or controlled) with counts by status, pause, limits, oldest due task's age and its workers",
  response: z.object({ items: z.array(QueueJson) }),
});

export const pauseQueue = endpoint({
  method: "POST",
  path: "/api/queues/{name}/pause",
  role: "operator",
  audit: "queue.pause",
  tag: "queues",
  summary: "Pause a queue in the whole cluster: no worker starts a task of it (running ones finish); enqueueing still works",
  params: QueueParams,
  response: One,
});

export const resumeQueue = endpoint({
  method: "POST",
  path: "/api/queues/{name}/resume",
  role: "operator",
  audit: "queue.resume",
  tag: "queues",
  summary: "Resume a paused queue; its workers are woken at once",
  params: QueueParams,
  response: One,
});

export const setQueueLimits = endpoint({
  method: "PATCH",
  path: "/api/queues/{name}",
  role: "admin",
  audit: "queue.limits",
  tag: "queues",
  summary: "Set a queue's cluster-wide limits (max_running, rate, per_key); null removes one. The audit entry keeps before and after",
  params: QueueParams,
  body: QueueLimitsBody,
  bodyLimit: 4096,
  response: One,
});
