/**
 * The task endpoints' verbs: enqueue one or many, list, read, cancel, retry, delete, bulk
 * actions and clean-up (result rows: results.ts).
 */
import type { bulkTasks, cancelTask, cleanupTasks, createBatch, createTask, deleteTask, getTask, listTasks, retryTask } from "@/contracts/tasks";
import type { TASK_FILTER_FIELDS } from "@/contracts/taskFilter";
import type { z } from "zod";
import type { Database } from "@/db/client";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import * as control from "@/queue/sql/control";
import { deleteFinishedBefore, findTaskIds, type TaskFilter } from "@/queue/sql/reads";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import { findTask, tasksByIds, unmaskedCopy, viewerOf } from "./json";
import type { Principal } from "./auth/principal";
import type { Input, Output } from "./route";
import { assertMayEnqueue, enqueueRefusal, storedTask } from "./taskAccess";
import { assertTaskTimeoutsAllowed, reserveEnqueueQuota, withEnqueueQuota } from "./quota";

/** Enqueues one task: 201 with the task, or 200 with the existing one on an idempotency hit. */
export async function create({ body, principal }: Input<typeof createTask>): Promise<Output<typeof createTask>> {
  assertMayEnqueue(principal, body.type, body.payload);
  assertTaskTimeoutsAllowed(principal, body.type, body.payload, body.timeout_ms);
  // A queue no worker serves would hold the task forever: only the catalogue's queues.
  const queues = new Set(registry.list().map((d) => d.queue));
  if (body.queue && !queues.has(body.queue)) {
    throw new HttpError("invalid_input", `unknown queue ${body.queue}`, { known_queues: [...queues] });
  }
  const { database, conn } = await getQueue();
  // A copy names its source, which must be a task this caller may see (checked before anything is written).
  const source = body.cloned_from
    ? await database.db.task.findUnique({ where: { id: Number(body.cloned_from) }, select: { id: true, type: true, payload: true } })
    : null;
  if (body.cloned_from && !source) throw new HttpError("invalid_input", `cloned_from: no task ${body.cloned_from}`);
  const { id, created } = await withEnqueueQuota(principal, 1, () =>
    enqueue(conn, registry, {
      type: body.type,
      payload: source ? unmaskedCopy(body.type, body.payload, source) : body.payload,
      queue: body.queue,
      priority: body.priority,
      runAt: body.run_at ? new Date(body.run_at) : undefined,
      delayMs: body.delay_ms,
      maxAttempts: body.max_attempts,
      timeoutMs: body.timeout_ms,
      idempotencyKey: body.idempotency_key,
      batchId: body.batch_id,
      createdBy: principal.name,
    }),
  );
  // Clones are rare: the link is written beside the enqueue, not by the engine's hot insert.
  if (source && created) await database.db.task.update({ where: { id }, data: { clonedFrom: source.id } });
  const found = await taskOr404(database, id, principal);
  return {
    status: created ? 201 : 200,
    json: { task: found.task },
    audit: { target: String(id), details: { type: body.type, created, ...(source ? { cloned_from: String(source.id) } : {}) } },
  };
}

/** Enqueues many tasks in one transaction (all or none) under one batch id. */
export async function createMany({ body, principal }: Input<typeof createBatch>): Promise<Output<typeof createBatch>> {
  body.tasks.forEach((t, i) => {
    const why = enqueueRefusal(principal, t.type, t.payload);
    if (why) throw new HttpError("forbidden", `tasks[${i}]: ${why}`, { index: i, type: t.type });
    assertTaskTimeoutsAllowed(principal, t.type, t.payload, t.timeout_ms, `tasks[${i}].timeout_ms`);
  });
  const { conn } = await getQueue();
  const { batchId, ids } = await withEnqueueQuota(principal, body.tasks.length, () =>
    enqueueMany(
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
        createdBy: principal.name,
      })),
      { batchId: body.batch_name },
    ),
  );
  return { status: 201, json: { batch_id: batchId, task_ids: ids.map(String) }, audit: { target: batchId, details: { tasks: ids.length } } };
}

/** The named filters of a list query (payload.<key> filters ride along as extra keys). */
type FilterQuery = { [K in keyof typeof TASK_FILTER_FIELDS]?: z.output<(typeof TASK_FILTER_FIELDS)[K]> };

/** The engine's filter of a task list query (or a bulk action's filter): a category becomes its types. */
export function taskFilterOf(query: FilterQuery): TaskFilter {
  const payload: Record<string, string> = {};
  for (const [k, v] of Object.entries(query as Record<string, unknown>))
    if (k.startsWith("payload.") && typeof v === "string") payload[k.slice(8)] = v;
  return {
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
}

/**
 * Tasks, newest first, cursor-paginated. Filters: status and type (comma lists), queue,
 * batch_id, parent_id, category, scheduled=true, q (id or text), payload.<key>=<value>.
 */
export async function list({ query, principal }: Input<typeof listTasks>): Promise<Output<typeof listTasks>> {
  const { database, conn } = await getQueue();
  const filter = taskFilterOf(query);
  const ids = await findTaskIds(conn, filter, query.limit + 1, query.cursor ? Number(query.cursor) : undefined);
  const page = ids.slice(0, query.limit);
  return {
    json: {
      items: await tasksByIds(database, page, viewerOf(principal)),
      next_cursor: ids.length > query.limit ? String(page[page.length - 1]) : null,
    },
  };
}

/** One task with its runs (newest first). */
export async function get({ params, principal }: Input<typeof getTask>): Promise<Output<typeof getTask>> {
  const { database } = await getQueue();
  return { json: await taskOr404(database, params.id, principal) };
}

/** Deletes a finished task with its runs, logs and result rows (409 while it is queued or running). */
export async function remove({ params }: Input<typeof deleteTask>): Promise<Output<typeof deleteTask>> {
  const { conn } = await getQueue();
  await control.deleteTask(conn, params.id);
  return { json: { ok: true }, audit: { target: String(params.id) } };
}

/** Cancels a task: queued → cancelled now; running → cancel requested; finished → 409. */
export async function cancel({ params, principal }: Input<typeof cancelTask>): Promise<Output<typeof cancelTask>> {
  const { database, conn } = await getQueue();
  const outcome = await control.cancelTask(conn, params.id);
  const found = await taskOr404(database, params.id, principal);
  return { json: { outcome, task: found.task }, audit: { target: String(params.id), details: { outcome } } };
}

/** Queues a failed or cancelled task again (one more attempt; a new run); anything else → 409. */
export async function retry({ params, principal }: Input<typeof retryTask>): Promise<Output<typeof retryTask>> {
  const { database, conn } = await getQueue();
  const stored = await storedTask(database.db, params.id);
  if (stored) assertMayEnqueue(principal, stored.type, stored.payload);
  await withEnqueueQuota(principal, 1, () => control.retryTask(conn, params.id));
  const found = await taskOr404(database, params.id, principal);
  return { json: { task: found.task }, audit: { target: String(params.id) } };
}

/** Cancels, retries or deletes many tasks; every id gets its own outcome ("ok" or the error). */
export async function bulk({ body, principal }: Input<typeof bulkTasks>): Promise<Output<typeof bulkTasks>> {
  const { database, conn } = await getQueue();
  const results: { id: string; ok: boolean; outcome?: string; error?: string }[] = [];
  // A retry makes its task run again: counted like new tasks, and given back for the ids that did not retry.
  const quota = body.action === "retry" ? await reserveEnqueueQuota(principal, body.ids.length) : null;
  for (const id of body.ids) {
    try {
      const n = Number(id);
      if (body.action === "retry") {
        const stored = await storedTask(database.db, n);
        if (stored) assertMayEnqueue(principal, stored.type, stored.payload);
      }
      const outcome =
        body.action === "cancel"
          ? await control.cancelTask(conn, n)
          : body.action === "retry"
            ? (await control.retryTask(conn, n), "queued")
            : (await control.deleteTask(conn, n), "deleted");
      results.push({ id, ok: true, outcome });
    } catch (err) {
      results.push({ id, ok: false, error: (err as Error).message });
    }
  }
  const ok = results.filter((r) => r.ok).length;
  await quota?.giveBack(results.length - ok);
  return {
    json: { action: body.action, ok, failed: results.length - ok, results },
    audit: { target: `${body.ids.length} tasks`, details: { action: body.action, ok, ids: body.ids.slice(0, 100) } },
  };
}

/** Deletes finished tasks (with runs, logs, result rows) that finished more than `older_than_days` days ago. */
export async function cleanup({ body }: Input<typeof cleanupTasks>): Promise<Output<typeof cleanupTasks>> {
  const { conn } = await getQueue();
  const deleted = await deleteFinishedBefore(conn, new Date(Date.now() - body.older_than_days * 86_400_000));
  return { json: { deleted }, audit: { details: { older_than_days: body.older_than_days, ...deleted } } };
}

async function taskOr404(database: Database, id: number, principal: Principal) {
  const found = await findTask(database, id, viewerOf(principal));
  if (!found) throw new HttpError("not_found", `task ${id} not found`);
  return found;
}
