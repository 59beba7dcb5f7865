/**
 * What a task filter is made of: the task list's named filters and `payload.<key>` fields,
 * shared by the list's query and a bulk action over a filter (and the names they use:
 * statuses, queue names, categories).
 */
import { z } from "zod";
import { commaList, Cursor } from "./common";

/** Task statuses, as the API spells them. */
export const TASK_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** Queue names: lower-case identifiers. */
export const QueueName = z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "must be a lower-case name (a-z, 0-9, _ and -)");

/** Task categories, as the registry declares them (the dashboard's tabs). */
export const TaskCategory = z.enum(["demo", "data_sync", "indicators", "signals", "backtest", "maintenance", "scripts"]);
export type TaskCategory = z.infer<typeof TaskCategory>;

/** The task list's named filters (TaskListQuery; a bulk action over a filter takes the same). */
export const TASK_FILTER_FIELDS = {
  status: commaList(z.enum(TASK_STATUSES)).optional(),
  type: commaList(z.string().min(1).max(100)).optional(),
  queue: QueueName.optional(),
  batch_id: z.string().min(1).max(100).optional(),
  parent_id: Cursor.optional(),
  category: TaskCategory.optional(),
  scheduled: z.enum(["true"]).optional(),
  q: z.string().trim().min(1).max(200).optional(),
};

/** Refuses keys that are neither a named filter, one of `also`, nor `payload.<key>`. */
export function onlyPayloadFilters(also: string[]) {
  const known = new Set([...Object.keys(TASK_FILTER_FIELDS), ...also]);
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const k of Object.keys(v)) {
      if (known.has(k)) continue;
      if (!/^payload\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(k))
        ctx.addIssue({ code: "custom", path: [k], message: "unknown filter (payload fields: payload.<key>=<value>)" });
    }
  };
}
