"use client";
/** React Query hooks for runs (执行历史): the run list, and one run with its task. Its log: useRunLogs. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Page, ResponseOf } from "@/contracts/endpoint";
import type { getRun, RunListItem } from "@/contracts/runs";
import { apiFetch } from "../api";
import { useLiveInvalidate, useLiveStatus, usePollInterval } from "../live/LiveProvider";

/** A row of the run list. */
export type RunRow = RunListItem;
/** A run with its task and every run of that task. */
export type RunDetail = ResponseOf<typeof getRun>;

/** One page of runs, filtered, polled every 5 s. */
export function useRunListQuery(
  filters: Partial<Record<"type" | "status" | "schedule_id" | "from" | "to", string>>,
  cursor: string | null,
  limit = 20,
) {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  if (cursor) q.set("cursor", cursor);
  useLiveInvalidate("tasks", [["runs"]]);
  const interval = usePollInterval(5_000);
  return useQuery({
    queryKey: ["runs", filters, cursor, limit],
    queryFn: () => apiFetch<Page<RunRow>>(`/api/tasks/runs?${q}`),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/** A run with its task; refetched on its task's events while live, else polled while the task is unfinished. */
export function useRunQuery(runId: string) {
  const live = useLiveStatus() === "live";
  const query = useQuery({
    queryKey: ["run", runId],
    queryFn: () => apiFetch<RunDetail>(`/api/tasks/runs/${runId}`),
    refetchInterval: (q) => {
      if (live) return false;
      const s = q.state.data?.task.status;
      return s === "queued" || s === "running" ? 1_500 : false;
    },
  });
  const taskId = query.data?.task.id;
  useLiveInvalidate(taskId ? `task:${taskId}` : null, [["run", runId]], 500);
  return query;
}
