/** Batches: tasks enqueued together, rolled up, retrying the failed ones, and re-running as a new batch. */
import { z } from "zod";
import { endpoint } from "./endpoint";

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

/** The path params of a batch: its id as given or generated at enqueue. */
export const BatchParams = z.object({ batch_id: z.string().min(1).max(100) });

export const getBatch = endpoint({
  method: "GET",
  path: "/api/tasks/batches/{batch_id}",
  role: "viewer",
  tag: "tasks",
  summary: "A batch rolled up: counts by status, overall progress, ETA (its tasks: GET /api/tasks?batch_id=)",
  params: BatchParams,
  response: BatchJson,
});

export const retryFailedInBatch = endpoint({
  method: "POST",
  path: "/api/tasks/batches/{batch_id}/retry_failed",
  role: "operator",
  audit: "task.batch_retry_failed",
  tag: "tasks",
  summary: "Retry the failed and cancelled tasks of a batch, in one transaction",
  params: BatchParams,
  response: z.object({ retried: z.number() }),
});

export const cancelBatch = endpoint({
  method: "POST",
  path: "/api/tasks/batches/{batch_id}/cancel",
  role: "operator",
  audit: "task.batch_cancel",
  tag: "tasks",
  summary: "Cancel every unfinished task of a batch in one transaction: queued ones now, running ones by request; finished ones stay",
  params: BatchParams,
  response: z.object({ cancelled: z.number(), cancel_requested: z.number() }),
});

/** `POST /api/tasks/batches/{batch_id}/rerun`: a new batch copying this one's tasks (or only its failed and cancelled ones), each payload with `payload_changes` merged in. */
export const RerunBatchBody = z
  .object({
    only_failed: z.boolean().default(false),
    /** Top-level payload fields set on every copy (e.g. another backtest window: {"start": "2023-01-01"}). */
    payload_changes: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const rerunBatch = endpoint({
  method: "POST",
  path: "/api/tasks/batches/{batch_id}/rerun",
  role: "operator",
  audit: "task.batch_rerun",
  tag: "tasks",
  summary:
    "Re-run a batch as a new batch (one transaction): every task, or only the failed and cancelled ones, each payload with payload_changes merged in and checked against its type",
  params: BatchParams,
  body: RerunBatchBody,
  bodyLimit: 64 * 1024,
  response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()), source_batch_id: z.string() }),
});
