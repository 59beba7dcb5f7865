/** The batch endpoints' verbs: a batch rolled up, retrying its failed tasks, cancelling what is left of it. */
import type { BatchJson, cancelBatch as cancelBatchEndpoint, getBatch, rerunBatch, retryFailedInBatch } from "@/contracts/batches";
import { enqueueMany } from "@/queue/enqueue";
import type { Database } from "@/db/client";
import { cancelBatch, retryBatch } from "@/queue/sql/control";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import { rollUp } from "./rollUp";
import type { Input, Output } from "./route";
import { assertMayRetryBatch, enqueueRefusal } from "./taskAccess";
import { withEnqueueQuota } from "./quota";

/** Counts by status, overall progress and an ETA from the pace so far. */
export async function get({ params }: Input<typeof getBatch>): Promise<Output<typeof getBatch>> {
  const { database } = await getQueue();
  const json = await batchRollUp(database, params.batch_id);
  if (!json) throw new HttpError("not_found", `batch ${params.batch_id} not found`);
  return { json };
}

/** A batch rolled up as `GET /api/tasks/batches/{id}` answers it (and the event stream's `batch` event); null: no such batch. */
export async function batchRollUp(database: Database, batchId: string): Promise<BatchJson | null> {
  const rows = await database.db.task.findMany({
    where: { batchId },
    select: { status: true, progress: true, createdAt: true, startedAt: true },
  });
  if (rows.length === 0) return null;
  const { counts, progress } = rollUp(rows);
  const started = rows.map((r) => r.startedAt?.getTime()).filter((t): t is number => t !== undefined);
  const startedAt = started.length ? Math.min(...started) : null;
  let eta: number | null = null;
  if (startedAt !== null && progress > 0 && progress < 100) {
    const elapsed = (Date.now() - startedAt) / 1000;
    eta = Math.round((elapsed * (100 - progress)) / progress);
  }
  return {
    batch_id: batchId,
    total: rows.length,
    counts,
    progress: Math.round(progress * 10) / 10,
    eta_seconds: eta,
    started_at: startedAt ? new Date(startedAt).toISOString() : null,
  };
}

/** Retries the failed (and cancelled) tasks of a batch only, in one transaction. */
export async function retryFailed({ params, principal }: Input<typeof retryFailedInBatch>): Promise<Output<typeof retryFailedInBatch>> {
  const { database, conn } = await getQueue();
  await assertMayRetryBatch(principal, database.db, params.batch_id);
  const retryable = await database.db.task.count({ where: { batchId: params.batch_id, status: { in: ["failed", "cancelled"] } } });
  const retried = await withEnqueueQuota(principal, retryable, () => retryBatch(conn, params.batch_id));
  if (retried === 0 && (await database.db.task.count({ where: { batchId: params.batch_id } })) === 0)
    throw new HttpError("not_found", `batch ${params.batch_id} not found`);
  return { json: { retried }, audit: { target: params.batch_id, details: { retried } } };
}

/** Cancels what is left of a batch (queued now, running by request), in one transaction; 404 for an unknown batch. */
export async function cancel({ params }: Input<typeof cancelBatchEndpoint>): Promise<Output<typeof cancelBatchEndpoint>> {
  const { database, conn } = await getQueue();
  const outcome = await cancelBatch(conn, params.batch_id);
  if (outcome.cancelled + outcome.cancel_requested === 0 && (await database.db.task.count({ where: { batchId: params.batch_id } })) === 0)
    throw new HttpError("not_found", `batch ${params.batch_id} not found`);
  return { json: outcome, audit: { target: params.batch_id, details: outcome } };
}

/**
 * Re-runs a batch as a new one: copies of its tasks (all, or only the failed and cancelled),
 * each with its type, stored payload (with `payload_changes` merged over its top-level fields),
 * queue, priority, timeout and attempts, enqueued in one transaction. A change that does not fit
 * a type's schema is a 400 and nothing is enqueued.
 */
export async function rerun({ params, body, principal }: Input<typeof rerunBatch>): Promise<Output<typeof rerunBatch>> {
  const { database, conn } = await getQueue();
  const rows = await database.db.task.findMany({
    where: { batchId: params.batch_id, ...(body.only_failed ? { status: { in: ["failed", "cancelled"] } } : {}) },
    orderBy: { id: "asc" },
  });
  if (rows.length === 0) {
    if ((await database.db.task.count({ where: { batchId: params.batch_id } })) === 0)
      throw new HttpError("not_found", `batch ${params.batch_id} not found`);
    throw new HttpError("invalid_input", `batch ${params.batch_id} has no failed or cancelled task to re-run`);
  }
  const inputs = rows.map((r) => ({
    type: r.type,
    payload: { ...(JSON.parse(r.payload) as Record<string, unknown>), ...body.payload_changes },
    queue: r.queue,
    priority: r.priority,
    timeoutMs: r.timeoutMs,
    maxAttempts: r.maxAttempts,
    createdBy: principal.name,
  }));
  inputs.forEach((t, i) => {
    const why = enqueueRefusal(principal, t.type, t.payload);
    if (why) throw new HttpError("forbidden", `task ${rows[i].id}: ${why}`);
  });
  const { batchId, ids } = await withEnqueueQuota(principal, inputs.length, () => enqueueMany(conn, registry, inputs));
  return {
    status: 201,
    json: { batch_id: batchId, task_ids: ids.map(String), source_batch_id: params.batch_id },
    audit: {
      target: batchId,
      // The changed fields by name only: a payload may carry a secret (a feed's api_key), which the audit log never holds.
      details: {
        source_batch_id: params.batch_id,
        only_failed: body.only_failed,
        changed_fields: Object.keys(body.payload_changes),
        tasks: ids.length,
      },
    },
  };
}
