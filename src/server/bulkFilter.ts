/**
 * Bulk actions over a filter (src/contracts/bulk.ts): count what an action would touch, then
 * hand the work to a `bulk_action` task (src/tasks/bulk.ts), which goes through the matches in
 * bounded transactions with progress. The request is audited once, with the filter and count.
 */
import type { bulkByFilter, countBulkTasks } from "@/contracts/bulk";
import { enqueue } from "@/queue/enqueue";
import { countTasks, findTaskIds, matchedTypes, type TaskFilter } from "@/queue/sql/reads";
import { FINISHED_STATUSES, fromStatuses, type TaskStatus } from "@/queue/states";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Principal } from "./auth/principal";
import type { Input, Output } from "./route";
import { assertMayEnqueue } from "./taskAccess";
import { reserveEnqueueQuota } from "./quota";
import { taskFilterOf } from "./tasks";

type Action = "cancel" | "retry" | "delete";

/** The statuses an action applies to (the legal "from" statuses of states.ts). */
const APPLIES_TO: Record<Action, readonly TaskStatus[]> = {
  cancel: fromStatuses("cancel"),
  retry: fromStatuses("retry"),
  delete: FINISHED_STATUSES,
};

/** The filter narrowed to the statuses the action applies to (null: it applies to none of them). */
function eligibleOf(f: TaskFilter, action: Action): TaskFilter | null {
  const statuses = (f.statuses?.length ? f.statuses : APPLIES_TO[action]).filter((s) => APPLIES_TO[action].includes(s as TaskStatus));
  return statuses.length ? { ...f, statuses } : null;
}

/** How many tasks the filter matches, and how many of them the action applies to. */
export async function count({ query }: Input<typeof countBulkTasks>): Promise<Output<typeof countBulkTasks>> {
  const { conn } = await getQueue();
  const f = taskFilterOf(query);
  const eligible = eligibleOf(f, query.action);
  const [matched, n] = await Promise.all([countTasks(conn, f), eligible ? countTasks(conn, eligible) : 0]);
  return { json: { action: query.action, matched, eligible: n } };
}

/**
 * Starts the action on every task the filter matches that it applies to: 202 with the
 * `bulk_action` task; 400 when it applies to none; 403 when a retry would run a type the
 * caller may not enqueue (an admin-only maintenance task, or a group holding one); a retry
 * counts against the caller's enqueue quota like new tasks.
 */
export async function start({ body, principal }: Input<typeof bulkByFilter>): Promise<Output<typeof bulkByFilter>> {
  const { conn } = await getQueue();
  const eligible = eligibleOf(taskFilterOf(body.filter), body.action);
  const [total, { types, maxId }] = eligible
    ? await Promise.all([countTasks(conn, eligible), matchedTypes(conn, eligible)])
    : [0, { types: [], maxId: 0 }];
  if (!eligible || total === 0)
    throw new HttpError("invalid_input", `no task matching the filter can be ${pastTense(body.action)}`, { filter: body.filter });
  if (body.action === "retry") {
    await assertMayRetryAll(principal, eligible, types);
    await reserveEnqueueQuota(principal, total);
  }
  const { id } = await enqueue(conn, registry, {
    type: "bulk_action",
    payload: { action: body.action, filter: eligible, max_id: maxId, total },
    createdBy: principal.name,
  });
  return {
    status: 202,
    json: { task_id: String(id), action: body.action, eligible: total },
    audit: { target: `${total} tasks`, details: { action: body.action, filter: body.filter, count: total, task_id: String(id) } },
  };
}

function pastTense(action: Action): string {
  return action === "cancel" ? "cancelled" : action === "retry" ? "retried" : "deleted";
}

/**
 * 403 unless the caller may enqueue every type the retry would run: one check per type, and
 * one per task for types that hold others (a group's children decide its role).
 */
async function assertMayRetryAll(principal: Principal, f: TaskFilter, types: string[]): Promise<void> {
  const { database, conn } = await getQueue();
  for (const type of types) {
    if (!registry.get(type)?.inner) {
      assertMayEnqueue(principal, type, {});
      continue;
    }
    for (let cursor: number | undefined; ;) {
      const ids = await findTaskIds(conn, { ...f, types: [type] }, 500, cursor);
      if (ids.length === 0) break;
      const rows = await database.db.task.findMany({ where: { id: { in: ids } }, select: { payload: true } });
      for (const r of rows) assertMayEnqueue(principal, type, JSON.parse(r.payload) as unknown);
      cursor = ids[ids.length - 1];
    }
  }
}
