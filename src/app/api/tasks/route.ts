import { CreateTaskBody, TaskListQuery } from "@/contracts/tasks";
import { route } from "@/server/route";
import { getQueue, registry } from "@/server/queue";
import { findTask, tasksByIds } from "@/server/tasks";
import { findTaskIds, type TaskFilter } from "@/queue/sql/reads";
import { enqueue } from "@/queue/enqueue";
import { HttpError } from "@/server/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Enqueue one task: 201 with the task, or 200 with the existing one on an idempotency hit. */
export const POST = route({ role: "operator", audit: "task.create", body: CreateTaskBody, bodyLimit: 512 * 1024 }, async ({ body }) => {
  // A queue no worker serves would hold the task forever: only the catalogue's queues.
  const queues = new Set(registry.list().map((d) => d.queue));
  if (body.queue && !queues.has(body.queue)) {
    throw new HttpError("invalid_input", `unknown queue ${body.queue}`, { known_queues: [...queues] });
  }
  const { database, conn } = await getQueue();
  const { id, created } = await enqueue(conn, registry, {
    type: body.type,
    payload: body.payload,
    queue: body.queue,
    priority: body.priority,
    runAt: body.run_at ? new Date(body.run_at) : undefined,
    delayMs: body.delay_ms,
    maxAttempts: body.max_attempts,
    timeoutMs: body.timeout_ms,
    idempotencyKey: body.idempotency_key,
    batchId: body.batch_id,
  });
  const found = await findTask(database, id);
  return { status: created ? 201 : 200, json: { task: found?.task }, audit: { target: String(id), details: { type: body.type, created } } };
});

/**
 * Tasks, newest first, cursor-paginated. Filters: status and type (comma lists), queue,
 * batch_id, parent_id, category, scheduled=true, q (id or text), payload.<key>=<value>.
 */
export const GET = route({ role: "viewer", query: TaskListQuery }, async ({ query }) => {
  const { database, conn } = await getQueue();
  const payload: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) if (k.startsWith("payload.") && typeof v === "string") payload[k.slice(8)] = v;
  const filter: TaskFilter = {
    statuses: query.status,
    types: query.category
      ? registry
          .list()
          .filter((d) => d.category === query.category && (!query.type || query.type.includes(d.name)))
          .map((d) => d.name)
      : query.type,
    queue: query.queue,
    batchId: query.batch_id,
    parentId: query.parent_id ? Number(query.parent_id) : undefined,
    scheduled: query.scheduled === "true",
    q: query.q,
    payload,
  };
  const ids = await findTaskIds(conn, filter, query.limit + 1, query.cursor ? Number(query.cursor) : undefined);
  const page = ids.slice(0, query.limit);
  return { json: { items: await tasksByIds(database, page), next_cursor: ids.length > query.limit ? String(page[page.length - 1]) : null } };
});
