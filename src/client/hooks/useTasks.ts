"use client";
/**
 * React Query hooks for the task queue: one per resource, filters and page in the key.
 * Polling pauses while the tab is hidden (React Query's default) and stops for finished runs.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BatchJson } from "@/contracts/batches";
import type { TaskTypeJson } from "@/contracts/catalogue";
import type { Page } from "@/contracts/endpoint";
import type { OverviewResponse, TypeStatistics } from "@/contracts/overview";
import type { RunListItem } from "@/contracts/runs";
import type { ResultsPage, RunJson, TaskJson } from "@/contracts/tasks";
import { apiFetch } from "../api";
import { useRunLogs } from "./useRunLogs";

export { useRunLogs };

/** Filters of the task list as the API takes them. */
export type TaskFilters = Partial<Record<"status" | "type" | "queue" | "batch_id" | "parent_id" | "category" | "scheduled" | "q", string>> & {
  payload?: [string, string];
};

function taskQueryString(f: TaskFilters, cursor: string | null, limit: number): string {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const [k, v] of Object.entries(f)) if (k !== "payload" && typeof v === "string" && v) q.set(k, v);
  if (f.payload) q.set(`payload.${f.payload[0]}`, f.payload[1]);
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

export function useOverviewQuery() {
  return useQuery({ queryKey: ["overview"], queryFn: () => apiFetch<OverviewResponse>("/api/tasks/overview"), refetchInterval: 3_000 });
}

export function useTaskTypesQuery() {
  return useQuery({ queryKey: ["task-types"], queryFn: () => apiFetch<{ items: TaskTypeJson[] }>("/api/task-types"), staleTime: Infinity });
}

export function useTaskListQuery(filters: TaskFilters, cursor: string | null, limit = 20) {
  return useQuery({
    queryKey: ["tasks", filters, cursor, limit],
    queryFn: () => apiFetch<Page<TaskJson>>(`/api/tasks?${taskQueryString(filters, cursor, limit)}`),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

/** A row of the run list (执行历史). */
export type RunRow = RunListItem;

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

export function useStatisticsQuery(hours: number) {
  return useQuery({
    queryKey: ["statistics", hours],
    queryFn: () => apiFetch<{ items: TypeStatistics[] }>(`/api/tasks/statistics?from=${new Date(Date.now() - hours * 3600_000).toISOString()}`),
    refetchInterval: 60_000,
  });
}

export function useBatchQuery(batchId: string | undefined) {
  return useQuery({
    queryKey: ["batch", batchId],
    enabled: !!batchId,
    queryFn: () => apiFetch<BatchJson>(`/api/tasks/batches/${encodeURIComponent(batchId as string)}`),
    refetchInterval: (q) => (q.state.data && q.state.data.counts.queued + q.state.data.counts.running === 0 ? false : 3_000),
    retry: false,
  });
}

export interface RunDetail {
  run: RunJson;
  task: TaskJson;
  runs: RunJson[];
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

/** A task with its runs; polls while it is queued (no run of its current attempt yet). */
export function useTaskQuery(taskId: string) {
  return useQuery({
    queryKey: ["task", taskId],
    queryFn: () => apiFetch<{ task: TaskJson; runs: RunJson[] }>(`/api/tasks/${taskId}`),
    refetchInterval: (q) =>
      q.state.data && (q.state.data.runs.length > 0 || !["queued", "running"].includes(q.state.data.task.status)) ? false : 1_000,
  });
}

/** Result rows; polled while the run is live, and fetched again when the task's status changes (final rows arrive last). */
export function useResultsQuery(
  taskId: string,
  page: number,
  pageSize: number,
  sort: string | null,
  order: "asc" | "desc",
  live: boolean,
  status: string,
) {
  const q = new URLSearchParams({ page: String(page), page_size: String(pageSize), order });
  if (sort) q.set("sort", sort);
  return useQuery({
    queryKey: ["results", taskId, page, pageSize, sort, order, status],
    queryFn: () => apiFetch<ResultsPage>(`/api/tasks/${taskId}/results?${q}`),
    refetchInterval: live ? 3_000 : false,
    placeholderData: keepPreviousData,
  });
}

/** Cancel, retry, delete, bulk and create; each refreshes what it changed. */
export function useTaskActions() {
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["tasks"] });
    void qc.invalidateQueries({ queryKey: ["overview"] });
    void qc.invalidateQueries({ queryKey: ["run"] });
    void qc.invalidateQueries({ queryKey: ["task"] });
    void qc.invalidateQueries({ queryKey: ["batch"] });
  };
  return {
    cancel: useMutation({
      mutationFn: (id: string) => apiFetch<{ outcome: "cancelled" | "cancel_requested" }>(`/api/tasks/${id}/cancel`, { method: "POST" }),
      onSuccess: refresh,
    }),
    retry: useMutation({
      mutationFn: (id: string) => apiFetch<{ task: TaskJson }>(`/api/tasks/${id}/retry`, { method: "POST" }),
      onSuccess: refresh,
    }),
    remove: useMutation({ mutationFn: (id: string) => apiFetch(`/api/tasks/${id}`, { method: "DELETE" }), onSuccess: refresh }),
    bulk: useMutation({
      mutationFn: (b: { action: "cancel" | "retry" | "delete"; ids: string[] }) =>
        apiFetch<{ ok: number; failed: number }>("/api/tasks/bulk", { method: "POST", body: JSON.stringify(b) }),
      onSuccess: refresh,
    }),
    retryFailed: useMutation({
      mutationFn: (batchId: string) =>
        apiFetch<{ retried: number }>(`/api/tasks/batches/${encodeURIComponent(batchId)}/retry_failed`, { method: "POST" }),
      onSuccess: refresh,
    }),
    create: useMutation({
      mutationFn: (body: Record<string, unknown>) => apiFetch<{ task: TaskJson }>("/api/tasks", { method: "POST", body: JSON.stringify(body) }),
      onSuccess: refresh,
    }),
  };
}
