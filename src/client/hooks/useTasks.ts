"use client";
/**
 * React Query hooks for tasks: the list (filters and cursor in the key), one task, its result
 * rows, and the actions on tasks. Polling pauses while the tab is hidden (React Query's
 * default) and stops for finished tasks.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { Page, ResponseOf } from "@/contracts/endpoint";
import type { bulkTasks, cancelTask, createTask, getTask, ResultsPage, retryTask, TaskJson } from "@/contracts/tasks";
import type { bulkByFilter, countBulkTasks } from "@/contracts/bulk";
import { apiFetch } from "../api";
import { useLiveInvalidate, useLiveStatus, usePollInterval } from "../live/LiveProvider";

/** Filters of the task list as the API takes them. */
export type TaskFilters = Partial<Record<"status" | "type" | "queue" | "batch_id" | "parent_id" | "category" | "scheduled" | "q", string>> & {
  payload?: [string, string];
};

/** The filters as the API's flat keys (payload.<key> for the payload field), empty ones left out. */
export function filterParams(f: TaskFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (k !== "payload" && typeof v === "string" && v) out[k] = v;
  if (f.payload) out[`payload.${f.payload[0]}`] = f.payload[1];
  return out;
}

function taskQueryString(f: TaskFilters, cursor: string | null, limit: number): string {
  const q = new URLSearchParams({ limit: String(limit), ...filterParams(f) });
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

/** One page of the task list: refetched when tasks change (live), else polled every 5 s. */
export function useTaskListQuery(filters: TaskFilters, cursor: string | null, limit = 20) {
  useLiveInvalidate("tasks", [["tasks"]]);
  const interval = usePollInterval(5_000);
  return useQuery({
    queryKey: ["tasks", filters, cursor, limit],
    queryFn: () => apiFetch<Page<TaskJson>>(`/api/tasks?${taskQueryString(filters, cursor, limit)}`),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/**
 * A task with its runs. By default it polls while the task is queued (no run of its current
 * attempt yet: the wait page then moves to the run page, which follows the run itself); with
 * `untilFinished` it polls until the task is finished, for pages that show its progress and
 * result in place (/strategies, /backtests).
 */
export function useTaskQuery(taskId: string, opts: { untilFinished?: boolean } = {}) {
  useLiveInvalidate(`task:${taskId}`, [["task", taskId]], 500);
  const pushed = useLiveStatus() === "live";
  return useQuery({
    queryKey: ["task", taskId],
    queryFn: () => apiFetch<ResponseOf<typeof getTask>>(`/api/tasks/${taskId}`),
    refetchInterval: (q) => {
      if (pushed) return false;
      const d = q.state.data;
      const live = !d || ["queued", "running"].includes(d.task.status);
      if (opts.untilFinished) return live ? 1_500 : false;
      return d && (d.runs.length > 0 || !live) ? false : 1_000;
    },
  });
}

/** Result rows (sorted, filtered by column); polled while the run is live, and fetched again when the task's status changes (final rows arrive last). */
export function useResultsQuery(
  taskId: string,
  page: number,
  pageSize: number,
  sort: string | null,
  order: "asc" | "desc",
  live: boolean,
  status: string,
  filters: Record<string, string> = {},
) {
  const q = new URLSearchParams({ page: String(page), page_size: String(pageSize), order });
  if (sort) q.set("sort", sort);
  for (const [f, v] of Object.entries(filters)) q.set(`filter.${f}`, v);
  // Rows are written as the run progresses: each change of the task (progress) refetches the page.
  useLiveInvalidate(live ? `task:${taskId}` : null, [["results", taskId]]);
  const interval = usePollInterval(live ? 3_000 : false);
  return useQuery({
    queryKey: ["results", taskId, page, pageSize, sort, order, status, filters],
    queryFn: () => apiFetch<ResultsPage>(`/api/tasks/${taskId}/results?${q}`),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/** Refreshes every view a change of tasks shows in: lists, the overview, runs, tasks, batches. */
export function refreshTaskViews(qc: QueryClient): void {
  for (const key of ["tasks", "overview", "run", "task", "batch"]) void qc.invalidateQueries({ queryKey: [key] });
}

/** Cancel, retry, delete, bulk and create; each refreshes what it changed. */
export function useTaskActions() {
  const qc = useQueryClient();
  const refresh = () => refreshTaskViews(qc);
  return {
    cancel: useMutation({
      mutationFn: (id: string) => apiFetch<ResponseOf<typeof cancelTask>>(`/api/tasks/${id}/cancel`, { method: "POST" }),
      onSuccess: refresh,
    }),
    retry: useMutation({
      mutationFn: (id: string) => apiFetch<ResponseOf<typeof retryTask>>(`/api/tasks/${id}/retry`, { method: "POST" }),
      onSuccess: refresh,
    }),
    remove: useMutation({ mutationFn: (id: string) => apiFetch(`/api/tasks/${id}`, { method: "DELETE" }), onSuccess: refresh }),
    bulk: useMutation({
      mutationFn: (b: { action: "cancel" | "retry" | "delete"; ids: string[] }) =>
        apiFetch<ResponseOf<typeof bulkTasks>>("/api/tasks/bulk", { method: "POST", body: JSON.stringify(b) }),
      onSuccess: refresh,
    }),
    /** Every task matching the filters: starts a bulk_action task (its progress is the work's). */
    bulkByFilter: useMutation({
      mutationFn: (b: { action: "cancel" | "retry" | "delete"; filters: TaskFilters }) =>
        apiFetch<ResponseOf<typeof bulkByFilter>>("/api/tasks/bulk/filter", {
          method: "POST",
          body: JSON.stringify({ action: b.action, filter: filterParams(b.filters) }),
        }),
      onSuccess: refresh,
    }),
    create: useMutation({
      mutationFn: (body: Record<string, unknown>) =>
        apiFetch<ResponseOf<typeof createTask>>("/api/tasks", { method: "POST", body: JSON.stringify(body) }),
      onSuccess: refresh,
    }),
  };
}

/** What a bulk action over the filters would touch (asked when the operator picks the action). */
export function countForBulk(action: "cancel" | "retry" | "delete", filters: TaskFilters): Promise<ResponseOf<typeof countBulkTasks>> {
  return apiFetch<ResponseOf<typeof countBulkTasks>>(`/api/tasks/bulk/count?${new URLSearchParams({ action, ...filterParams(filters) })}`);
}
