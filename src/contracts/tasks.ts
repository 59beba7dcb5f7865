/**
 * Tasks: the JSON shape of a task and of a run (one attempt), the request bodies and queries
 * of the task endpoints, and the endpoints themselves (enqueue one or many, list, read, cancel,
 * retry, delete, bulk actions, clean-up, result rows).
 */
import { z } from "zod";
import { ResultsCsvQuery, ResultsQuery } from "./resultView";
import { onlyPayloadFilters, QueueName, TASK_FILTER_FIELDS, TASK_STATUSES, TaskCategory } from "./taskFilter";

export { QueueName, TASK_STATUSES, TaskCategory };
import { Cursor, IdParams, Limit } from "./common";
import { CursorPage, endpoint, NumberedPage, Ok } from "./endpoint";

/** Run (attempt) statuses. */
export const RUN_STATUSES = ["running", "succeeded", "failed", "cancelled", "timed_out", "lost", "requeued"] as const;

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
    /** The task this one copies (复制为新任务): recorded as its `cloned_from`. */
    cloned_from: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, "must be a task id")
      .optional(),
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
  status: z.enum(TASK_STATUSES),
  run_at: z.string(),
  attempts: z.number(),
  max_attempts: z.number(),
  timeout_ms: z.number(),
  batch_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  progress: z.number(),
  progress_message: z.string().nullable(),
  result: z.unknown(),
  /** What went wrong: the message, for everyone. */
  error: z.string().nullable(),
  /** The stack trace (paths relative to the project), for operators and admins; null for viewers. */
  error_stack: z.string().nullable(),
  created_at: z.string(),
  started_at: Iso,
  finished_at: Iso,
  cancel_requested: z.boolean(),
  parent_id: z.string().nullable(),
  schedule_id: z.string().nullable(),
  run_id: z.string().nullable(),
  worker_id: z.string().nullable(),
  /** The task this one was copied from (复制为新任务), or null. */
  cloned_from: z.string().nullable(),
});
export type TaskJson = z.infer<typeof TaskJson>;

/** One attempt of a task as the API returns it. */
export const RunJson = z.object({
  id: z.string(),
  task_id: z.string(),
  attempt: z.number(),
  worker_id: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  started_at: z.string(),
  finished_at: Iso,
  duration_ms: z.number().nullable(),
  /** As TaskJson's error and error_stack. */
  error: z.string().nullable(),
  error_stack: z.string().nullable(),
  /** What the run ran, as its handler reported it (a script: argv, pid, host, exit_code, signal); null if nothing. */
  info: z.record(z.string(), z.unknown()).nullable(),
});
export type RunJson = z.infer<typeof RunJson>;

/**
 * `GET /api/tasks` filters. Besides the named ones, `payload.<key>=<value>` filters on a
 * top-level payload field (exact match, compared as text).
 */
export const TaskListQuery = z
  .object({ limit: Limit, cursor: Cursor.optional(), ...TASK_FILTER_FIELDS })
  .catchall(z.string().max(200))
  .superRefine(onlyPayloadFilters(["limit", "cursor"]));

export const ResultRowJson = z.object({ key: z.string(), data: z.unknown() });
export const ResultsPage = NumberedPage(ResultRowJson);
export type ResultsPage = z.infer<typeof ResultsPage>;

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

/** What one id of a bulk action came to. */
export const BulkOutcomeJson = z.object({ id: z.string(), ok: z.boolean(), outcome: z.string().optional(), error: z.string().optional() });

/** The counts a clean-up deleted. */
export const CleanupCounts = z.object({ tasks: z.number(), runs: z.number(), log_lines: z.number(), result_rows: z.number() });

// ------------------------------------------------------------------ endpoints

const TaskAndRuns = z.object({ task: TaskJson, runs: z.array(RunJson) });

export const createTask = endpoint({
  method: "POST",
  path: "/api/tasks",
  role: "operator",
  audit: "task.create",
  tag: "tasks",
  summary: "Enqueue one task (201; 200 with the existing task on an idempotency hit)",
  body: CreateTaskBody,
  bodyLimit: 512 * 1024,
  response: z.object({ task: TaskJson }),
});

export const createBatch = endpoint({
  method: "POST",
  path: "/api/tasks/batch",
  role: "operator",
  audit: "task.batch_create",
  tag: "tasks",
  summary: "Enqueue many tasks in one transaction (all or none) under one batch id",
  body: BatchBody,
  bodyLimit: 8 * 1024 * 1024,
  response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()) }),
});

export const listTasks = endpoint({
  method: "GET",
  path: "/api/tasks",
  role: "viewer",
  tag: "tasks",
  summary: "Tasks, newest first; filters status and type (comma lists), queue, batch_id, parent_id, category, scheduled, q, payload.<key>=<value>",
  query: TaskListQuery,
  response: CursorPage(TaskJson),
});

export const getTask = endpoint({
  method: "GET",
  path: "/api/tasks/{id}",
  role: "viewer",
  tag: "tasks",
  summary: "A task with its runs (newest first)",
  params: IdParams,
  response: TaskAndRuns,
});

export const deleteTask = endpoint({
  method: "DELETE",
  path: "/api/tasks/{id}",
  role: "operator",
  audit: "task.delete",
  tag: "tasks",
  summary: "Delete a finished task with its runs, logs and result rows (409 while it is queued or running)",
  params: IdParams,
  response: Ok,
});

export const cancelTask = endpoint({
  method: "POST",
  path: "/api/tasks/{id}/cancel",
  role: "operator",
  audit: "task.cancel",
  tag: "tasks",
  summary: "Cancel (queued: now; running: requested; finished: 409)",
  params: IdParams,
  response: z.object({ outcome: z.enum(["cancelled", "cancel_requested"]), task: TaskJson }),
});

export const retryTask = endpoint({
  method: "POST",
  path: "/api/tasks/{id}/retry",
  role: "operator",
  audit: "task.retry",
  tag: "tasks",
  summary: "Queue a failed or cancelled task again (one more attempt; a new run); anything else: 409",
  params: IdParams,
  response: z.object({ task: TaskJson }),
});

export const bulkTasks = endpoint({
  method: "POST",
  path: "/api/tasks/bulk",
  role: "operator",
  audit: "task.bulk",
  tag: "tasks",
  summary: "Cancel, retry or delete many tasks; every id gets its own outcome",
  body: BulkBody,
  bodyLimit: 64 * 1024,
  response: z.object({ action: BulkBody.shape.action, ok: z.number(), failed: z.number(), results: z.array(BulkOutcomeJson) }),
});

export const cleanupTasks = endpoint({
  method: "POST",
  path: "/api/tasks/cleanup",
  role: "admin",
  audit: "task.cleanup",
  tag: "tasks",
  summary: "Delete finished tasks (with runs, logs, result rows) that finished more than older_than_days days ago",
  body: CleanupBody,
  bodyLimit: 1024,
  response: z.object({ deleted: CleanupCounts }),
});

export const taskResults = endpoint({
  method: "GET",
  path: "/api/tasks/{id}/results",
  role: "viewer",
  tag: "tasks",
  summary:
    "A task's result rows, page-numbered; sorted by key or by sort (a top-level field of the row data), filtered by filter.<field> (a range min..max, values a,b, or text, by the column's kind)",
  params: IdParams,
  query: ResultsQuery,
  response: ResultsPage,
});

export const taskResultsCsv = endpoint({
  method: "GET",
  path: "/api/tasks/{id}/results/download",
  role: "viewer",
  tag: "tasks",
  summary:
    "The result rows as CSV (sorted and filtered as the results list), in the type's declared columns (or a key column and one per top-level field)",
  params: IdParams,
  query: ResultsCsvQuery,
  produces: "text/csv",
});
