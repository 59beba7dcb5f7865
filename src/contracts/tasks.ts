/**
 * Task schemas: the request bodies of the task endpoints and the JSON shape of a task and a
 * run in responses. Used by the route handlers, the client and the tests.
 */
import { z } from "zod";

/** Queue names: lower-case identifiers. */
export const QueueName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "must be a lower-case name (a-z, 0-9, _ and -)");

/** `POST /api/tasks`. The payload is checked against the task type's own schema. */
export const CreateTaskBody = z
  .object({
    type: z.string().min(1).max(100),
    payload: z.record(z.string(), z.unknown()).optional(),
    queue: QueueName.optional(),
    priority: z.number().int().min(100).max(900).optional(),
    run_at: z.iso.datetime({ offset: true }).optional(),
    delay_ms: z
      .number()
      .int()
      .min(0)
      .max(366 * 24 * 3600_000)
      .optional(),
    max_attempts: z.number().int().min(1).max(100).optional(),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(7 * 24 * 3600_000)
      .optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
    batch_id: z.string().min(1).max(100).optional(),
  })
  .strict();
export type CreateTaskBody = z.infer<typeof CreateTaskBody>;

const Iso = z.string().nullable();

/** A task as the API returns it. */
export const TaskJson = z.object({
  id: z.string(),
  type: z.string(),
  queue: z.string(),
  payload: z.unknown(),
  priority: z.number(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled"]),
  run_at: z.string(),
  attempts: z.number(),
  max_attempts: z.number(),
  timeout_ms: z.number(),
  batch_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  progress: z.number(),
  progress_message: z.string().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: Iso,
  finished_at: Iso,
  cancel_requested: z.boolean(),
  parent_id: z.string().nullable(),
  schedule_id: z.string().nullable(),
  run_id: z.string().nullable(),
  worker_id: z.string().nullable(),
});
export type TaskJson = z.infer<typeof TaskJson>;

/** One attempt of a task as the API returns it. */
export const RunJson = z.object({
  id: z.string(),
  task_id: z.string(),
  attempt: z.number(),
  worker_id: z.string().nullable(),
  status: z.enum(["running", "succeeded", "failed", "cancelled", "timed_out", "lost", "requeued"]),
  started_at: z.string(),
  finished_at: Iso,
  duration_ms: z.number().nullable(),
  error: z.string().nullable(),
});
export type RunJson = z.infer<typeof RunJson>;

/** `GET /api/tasks/{id}` and `POST /api/tasks`. */
export const TaskResponse = z.object({ task: TaskJson, runs: z.array(RunJson).optional() });

/** `GET /api/health`. */
export const HealthResponse = z.object({
  status: z.enum(["ok", "error"]),
  database: z.enum(["ok", "error"]),
  workers: z.array(z.object({ id: z.string(), last_seen_at: z.string(), running: z.number() })),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

const Statuses = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
const RunStatuses = ["running", "succeeded", "failed", "cancelled", "timed_out", "lost", "requeued"] as const;
const Cursor = z.string().regex(/^[1-9][0-9]{0,14}$/, "must be a next_cursor value from a previous page");
const Limit = z.coerce.number().int().min(1).max(200).default(50);
const IsoTime = z.iso.datetime({ offset: true });
/** "a,b,c" → ["a","b","c"], each checked. */
const csvOf = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1).max(20));

/** Task categories, as the registry declares them (the dashboard's tabs). */
export const TaskCategory = z.enum(["demo", "data_sync", "indicators", "signals", "backtest", "maintenance"]);

/**
 * `GET /api/tasks` filters. Besides the named ones, `payload.<key>=<value>` filters on a
 * top-level payload field (exact match, compared as text).
 */
export const TaskListQuery = z
  .object({
    limit: Limit,
    cursor: Cursor.optional(),
    status: csvOf(z.enum(Statuses)).optional(),
    type: csvOf(z.string().min(1).max(100)).optional(),
    queue: QueueName.optional(),
    batch_id: z.string().min(1).max(100).optional(),
    parent_id: Cursor.optional(),
    category: TaskCategory.optional(),
    scheduled: z.enum(["true"]).optional(),
    q: z.string().trim().min(1).max(200).optional(),
  })
  .catchall(z.string().max(200))
  .superRefine((v, ctx) => {
    const known = new Set(["limit", "cursor", "status", "type", "queue", "batch_id", "parent_id", "category", "scheduled", "q"]);
    for (const k of Object.keys(v)) {
      if (known.has(k)) continue;
      if (!/^payload\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k))
        ctx.addIssue({ code: "custom", path: [k], message: "unknown filter (payload fields: payload.<key>=<value>)" });
    }
  });

/** `GET /api/tasks/runs` filters. */
export const RunListQuery = z
  .object({
    limit: Limit,
    cursor: Cursor.optional(),
    type: z.string().min(1).max(100).optional(),
    status: z.enum(RunStatuses).optional(),
    schedule_id: z.string().min(1).max(100).optional(),
    task_id: Cursor.optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
  })
  .strict();

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** `GET /api/tasks/runs/{run_id}/logs`: lines after `after_seq`, at or above `level`, containing `q`. */
export const LogQuery = z
  .object({
    after_seq: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    level: z.enum(LOG_LEVELS).optional(),
    q: z.string().min(1).max(200).optional(),
  })
  .strict();

export const LogLineJson = z.object({ seq: z.number(), ts: z.string(), level: z.enum(LOG_LEVELS), message: z.string(), data: z.unknown() });
export type LogLineJson = z.infer<typeof LogLineJson>;
export const LogPage = z.object({ items: z.array(LogLineJson), next_after_seq: z.number(), run_finished: z.boolean() });
export type LogPage = z.infer<typeof LogPage>;

/** `GET /api/tasks/{id}/results`: page-numbered, sorted by key or by a top-level data field. */
export const ResultsQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(50),
    sort: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
      .optional(),
    order: z.enum(["asc", "desc"]).default("asc"),
  })
  .strict();
export const ResultRowJson = z.object({ key: z.string(), data: z.unknown() });
export const ResultsPage = z.object({ items: z.array(ResultRowJson), page: z.number(), page_size: z.number(), total: z.number() });
export type ResultsPage = z.infer<typeof ResultsPage>;

/** `GET /api/tasks/statistics`: per type over [from, to) (default: the last 24 hours). */
export const StatisticsQuery = z.object({ from: IsoTime.optional(), to: IsoTime.optional() }).strict();
export const TypeStatistics = z.object({
  type: z.string(),
  count: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  success_rate: z.number().nullable(),
  avg_ms: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});
export type TypeStatistics = z.infer<typeof TypeStatistics>;

/** `POST /api/tasks/cleanup`. */
export const CleanupBody = z.object({ older_than_days: z.number().int().min(0).max(3650) }).strict();

/** `POST /api/tasks/bulk`: one action on many tasks; each id gets its own outcome. */
export const BulkBody = z
  .object({
    action: z.enum(["cancel", "retry", "delete"]),
    ids: z.array(Cursor).min(1).max(500),
  })
  .strict();

/** `POST /api/tasks/batch`. */
export const BatchBody = z
  .object({
    tasks: z
      .array(CreateTaskBody.omit({ batch_id: true }))
      .min(1)
      .max(10_000),
    batch_name: z.string().min(1).max(100).optional(),
  })
  .strict();

/** `GET /api/tasks/overview`. */
export const OverviewResponse = z.object({
  counts: z.record(z.string(), z.number()),
  queues: z.array(z.object({ name: z.string(), queued: z.number(), running: z.number() })),
  running: z.array(TaskJson),
  queued: z.array(TaskJson),
  recent: z.array(TaskJson),
  workers: HealthResponse.shape.workers,
  stats: z.object({
    today: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), success_rate: z.number().nullable() }),
    throughput: z.array(z.object({ minute: z.string(), succeeded: z.number(), failed: z.number() })),
  }),
});
export type OverviewResponse = z.infer<typeof OverviewResponse>;

/** A registered task type (`GET /api/task-types`). */
export const TaskTypeJson = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  category: TaskCategory,
  queue: z.string(),
  mode: z.enum(["fast", "compute"]),
  timeout_ms: z.number(),
  max_attempts: z.number(),
  priority: z.number(),
  payload_schema: z.unknown(),
});
export type TaskTypeJson = z.infer<typeof TaskTypeJson>;

/** `GET /api/tasks/batches/{batch_id}`: a batch rolled up. */
export const BatchJson = z.object({
  batch_id: z.string(),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  progress: z.number(),
  eta_seconds: z.number().nullable(),
  started_at: z.string().nullable(),
});
export type BatchJson = z.infer<typeof BatchJson>;
