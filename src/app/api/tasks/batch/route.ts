import { BatchBody } from "@/contracts/tasks";
import { route } from "@/server/route";
import { getQueue, registry } from "@/server/queue";
import { enqueueMany } from "@/queue/enqueue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Enqueues many tasks in one transaction (all or none) under one batch id. */
export const POST = route({ role: "operator", audit: "task.batch_create", body: BatchBody, bodyLimit: 8 * 1024 * 1024 }, async ({ body }) => {
  const { conn } = await getQueue();
  const { batchId, ids } = await enqueueMany(
    conn,
    registry,
    body.tasks.map((t) => ({
      type: t.type,
      payload: t.payload,
      queue: t.queue,
      priority: t.priority,
      runAt: t.run_at ? new Date(t.run_at) : undefined,
      delayMs: t.delay_ms,
      maxAttempts: t.max_attempts,
      timeoutMs: t.timeout_ms,
      idempotencyKey: t.idempotency_key,
    })),
    { batchId: body.batch_name },
  );
  return { status: 201, json: { batch_id: batchId, task_ids: ids.map(String) }, audit: { target: batchId, details: { tasks: ids.length } } };
});
