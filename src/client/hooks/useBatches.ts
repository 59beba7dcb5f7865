"use client";
/** React Query hooks for batches: one batch rolled up (polled until it ends), and retrying its failed tasks. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BatchJson, retryFailedInBatch, rerunBatch } from "@/contracts/batches";
import type { ResponseOf } from "@/contracts/endpoint";
import { apiFetch } from "../api";
import { refreshTaskViews } from "./useTasks";
import { useLiveInvalidate, useLiveStatus } from "../live/LiveProvider";

/** A batch's counts, progress and ETA; polled every 3 s while anything is queued or running. */
export function useBatchQuery(batchId: string | undefined) {
  useLiveInvalidate(batchId ? `batch:${batchId}` : null, [["batch", batchId]]);
  const live = useLiveStatus() === "live";
  return useQuery({
    queryKey: ["batch", batchId],
    enabled: !!batchId,
    queryFn: () => apiFetch<BatchJson>(`/api/tasks/batches/${encodeURIComponent(batchId as string)}`),
    refetchInterval: (q) => (live || (q.state.data && q.state.data.counts.queued + q.state.data.counts.running === 0) ? false : 3_000),
    retry: false,
  });
}

/** Retries the failed and cancelled tasks of a batch. */
export function useRetryFailed() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (batchId: string) =>
      apiFetch<ResponseOf<typeof retryFailedInBatch>>(`/api/tasks/batches/${encodeURIComponent(batchId)}/retry_failed`, { method: "POST" }),
    onSuccess: () => refreshTaskViews(qc),
  });
}

/** Re-runs a batch as a new batch (all, or only its failed and cancelled tasks, with payload changes). */
export function useRerunBatch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ batchId, ...body }: { batchId: string; only_failed: boolean; payload_changes: Record<string, unknown> }) =>
      apiFetch<ResponseOf<typeof rerunBatch>>(`/api/tasks/batches/${encodeURIComponent(batchId)}/rerun`, {
        method: "POST",
        body: JSON.stringify(body),
      }),
    onSuccess: () => refreshTaskViews(qc),
  });
}
