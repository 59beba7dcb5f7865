/**
 * Bulk actions over a filter: "all N tasks matching this filter" for cancel, retry and delete.
 * The count comes first (what the action would touch), then the action runs on the server as a
 * `bulk_action` task with progress, audited once with the filter and the count.
 */
import { z } from "zod";
import { endpoint } from "./endpoint";
import { onlyPayloadFilters, TASK_FILTER_FIELDS } from "./taskFilter";

/** What a bulk action does to each task. */
export const BulkAction = z.enum(["cancel", "retry", "delete"]);

/** A task list filter (the list's query: status and type comma lists, queue, …, payload.<key>). */
export const TaskFilterJson = z.object(TASK_FILTER_FIELDS).catchall(z.string().max(200)).superRefine(onlyPayloadFilters([]));

/** `GET /api/tasks/bulk/count`: an action and a filter, as the list's query. */
export const BulkCountQuery = z
  .object({ action: BulkAction, ...TASK_FILTER_FIELDS })
  .catchall(z.string().max(200))
  .superRefine(onlyPayloadFilters(["action"]));

/** `POST /api/tasks/bulk/filter`. */
export const BulkFilterBody = z.object({ action: BulkAction, filter: TaskFilterJson }).strict();

export const countBulkTasks = endpoint({
  method: "GET",
  path: "/api/tasks/bulk/count",
  role: "operator",
  tag: "tasks",
  summary:
    "How many tasks a filter matches, and how many of them the action applies to (cancel: queued and running; retry: failed and cancelled; delete: finished)",
  query: BulkCountQuery,
  response: z.object({ action: BulkAction, matched: z.number(), eligible: z.number() }),
});

export const bulkByFilter = endpoint({
  method: "POST",
  path: "/api/tasks/bulk/filter",
  role: "operator",
  audit: "task.bulk_filter",
  tag: "tasks",
  summary:
    "Cancel, retry or delete every task a filter matches (202): a bulk_action task works through them in bounded transactions with progress; 400 when none applies, 403 when a retry would run a type the caller may not",
  body: BulkFilterBody,
  response: z.object({ task_id: z.string(), action: BulkAction, eligible: z.number() }),
});
