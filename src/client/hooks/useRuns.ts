"use client";
/** React Query hooks for runs (执行历史): the run list, and one run with its task. Its log: useRunLogs. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { Page, ResponseOf } from "@/contracts/endpoint";
import type { getRun, RunListItem } from "@/contracts/runs";
import { apiFetch } from "../api";

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
  return useQuery({
    queryKey: ["runs", filters, cursor, limit],
    queryFn: () => apiFetch<Page<RunRow>>(`/api/tasks/runs?${q}`),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

/** A run with its task; polls while the task is unfinished. */
export function useRunQuery(runId: string) {
  return useQuery({
    queryKey: ["run", runId],
    queryFn: () => apiFetch<RunDetail>(`/api/tasks/runs/${runId}`),
    refetchInterval: (q) => {
      const s = q.state.data?.task.status;
      return s === "queued" || s === "running" ? 1_500 : false;
    },
  });
}
