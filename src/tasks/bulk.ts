/**
 * `bulk_action`: cancels, retries or deletes every task a filter of the task list matches, as a
 * task with progress (POST /api/tasks/bulk/filter makes one, after counting the matches and
 * checking the requester may act on them; the API audits it once, with the filter and the count).
 *
 * It walks the matches newest first by id, from the highest id that matched when it was asked
 * (tasks made later are not touched), CHUNK ids at a time, each chunk one short transaction
 * guarded by the legal "from" statuses: a task that changed meanwhile (finished, retried by
 * someone else) is skipped, not forced. Run again after a crash, it starts over and skips what
 * was done.
 */
import { z } from "zod";
import { defineTask, TaskCancel } from "@/queue/registry";
import { cancelTasks, deleteTasks, retryTasks } from "@/queue/sql/control";
import { findTaskIds, type TaskFilter } from "@/queue/sql/reads";
import { TASK_STATUSES } from "@/queue/states";

/**
 * Ids per transaction. Measured (tests/integration/bulk-filter.test.ts, this 2-core machine):
 * 10,000 retries in 20 transactions take 0.1 s on SQLite and 0.33 s on PostgreSQL, so a chunk
 * holds SQLite's write lock about 5 ms and workers claiming meanwhile barely wait.
 */
export const BULK_CHUNK = 500;

const Filter = z
  .object({
    statuses: z.array(z.enum(TASK_STATUSES)).max(10).optional(),
    types: z.array(z.string().max(100)).max(200).optional(),
    queue: z.string().max(100).optional(),
    batchId: z.string().max(100).optional(),
    parentId: z.number().int().positive().optional(),
    scheduled: z.boolean().optional(),
    q: z.string().max(200).optional(),
    payload: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(200)).optional(),
  })
  .strict();

export const BulkPayload = z
  .object({
    action: z.enum(["cancel", "retry", "delete"]),
    filter: Filter,
    /** The highest id that matched when the action was asked for. */
    max_id: z.number().int().min(0),
    /** How many matched then (the progress's 100%). */
    total: z.number().int().min(0),
  })
  .strict();

export const bulkAction = defineTask({
  name: "bulk_action",
  title: "批量操作",
  description: "Cancels, retries or deletes every task a filter matches, in bounded transactions (made by 全部匹配的任务 on /tasks).",
  category: "maintenance",
  // Made by the API for operators after it checked the matches; enqueued directly, only by an
  // admin (its payload names what to act on, which the API would otherwise have checked).
  role: "admin",
  queue: "default",
  mode: "fast",
  timeoutMs: 60 * 60_000,
  maxAttempts: 3,
  priority: 800,
  schema: BulkPayload,
  async run(ctx) {
    const { action, filter, max_id: maxId, total } = ctx.payload;
    const f: TaskFilter = filter;
    ctx.log.info(`${action}: up to ${total} matching tasks (ids up to ${maxId}), ${BULK_CHUNK} per transaction`, { filter });
    const counts = { done: 0, cancel_requested: 0, skipped: 0 };
    let transactions = 0;
    let seen = 0;
    for (let cursor = maxId + 1; ;) {
      if (ctx.signal.aborted) throw new TaskCancel(`stopped after ${seen} of ${total}`);
      const ids = await findTaskIds(ctx.conn, f, BULK_CHUNK, cursor);
      if (ids.length === 0) break;
      let done = 0;
      if (action === "cancel") {
        const r = await cancelTasks(ctx.conn, ids);
        done = r.cancelled + r.cancel_requested;
        counts.cancel_requested += r.cancel_requested;
      } else if (action === "retry") done = await retryTasks(ctx.conn, ids);
      else done = await deleteTasks(ctx.conn, ids);
      transactions++;
      counts.done += done;
      counts.skipped += ids.length - done;
      seen += ids.length;
      cursor = ids[ids.length - 1];
      ctx.progress(Math.min(99, (seen / Math.max(1, total)) * 100), `${seen} / ${total}`);
      if (transactions % 10 === 0) ctx.log.info(`${seen} tasks looked at, ${counts.done} done`);
    }
    ctx.log.info(
      `${action}: ${counts.done} done, ${counts.skipped} skipped (changed meanwhile), in ${transactions} transaction${transactions === 1 ? "" : "s"}`,
    );
    const { cancel_requested, ...rest } = counts;
    return { action, matched: total, ...rest, ...(action === "cancel" ? { cancel_requested } : {}), transactions };
  },
});
