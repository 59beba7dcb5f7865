"use client";
/** React Query hooks for backtests: creating a batch (one task per fund) or a sweep, following them, cancelling and re-running. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BacktestBatch, createBacktests } from "@/contracts/backtests";
import type { cancelBatch } from "@/contracts/batches";
import type { createSweep, rerunBacktests, SweepSummary } from "@/contracts/sweeps";
import type { ResponseOf } from "@/contracts/endpoint";
import { apiFetch } from "../api";
import { useLiveInvalidate, useLiveStatus } from "../live/LiveProvider";

/** Creates one backtest task per fund as one batch. */
export function useCreateBacktests() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<ResponseOf<typeof createBacktests>>("/api/backtests", { method: "POST", body: JSON.stringify(body) }),
  });
}

/** A backtest batch with each fund's status and metrics; polled until nothing is queued or running. */
export function useBacktestBatchQuery(batchId: string | null) {
  useLiveInvalidate(batchId ? `batch:${batchId}` : null, [["backtest-batch", batchId]]);
  const live = useLiveStatus() === "live";
  return useQuery({
    queryKey: ["backtest-batch", batchId],
    enabled: !!batchId,
    queryFn: () => apiFetch<BacktestBatch>(`/api/backtests/batches/${encodeURIComponent(batchId as string)}`),
    refetchInterval: (q) => (live || (q.state.data && q.state.data.counts.queued + q.state.data.counts.running === 0) ? false : 1_500),
  });
}

/** Creates a parameter sweep (one backtest per fund and combination) as one batch. */
export function useCreateSweep() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<ResponseOf<typeof createSweep>>("/api/backtests/sweeps", { method: "POST", body: JSON.stringify(body) }),
  });
}

/** A sweep rolled up for its page (metric, scope and axes in the key); polled while runs are left. */
export function useSweepQuery(batchId: string | null, q: { metric: string; fund?: string; x?: string; y?: string }) {
  const search = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1]));
  useLiveInvalidate(batchId ? `batch:${batchId}` : null, [["sweep", batchId]], 2_000);
  const live = useLiveStatus() === "live";
  return useQuery({
    queryKey: ["sweep", batchId, q],
    enabled: !!batchId,
    placeholderData: keepPreviousData,
    queryFn: () => apiFetch<SweepSummary>(`/api/backtests/sweeps/${encodeURIComponent(batchId as string)}?${search}`),
    refetchInterval: (query) => (live || (query.state.data && query.state.data.counts.queued + query.state.data.counts.running === 0) ? false : 2_000),
  });
}

/** Cancels what is left of a batch (queued now, running by request). */
export function useCancelBatch() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (batchId: string) =>
      apiFetch<ResponseOf<typeof cancelBatch>>(`/api/tasks/batches/${encodeURIComponent(batchId)}/cancel`, { method: "POST", body: "{}" }),
    onSuccess: () => void qc.invalidateQueries({ predicate: (q) => ["sweep", "backtest-batch", "backtest-history"].includes(String(q.queryKey[0])) }),
  });
}

/** Runs a batch's backtests again as a new batch over another window. */
export function useRerunBatch() {
  return useMutation({
    mutationFn: ({ batchId, ...body }: { batchId: string; start?: string | null; end?: string | null }) =>
      apiFetch<ResponseOf<typeof rerunBacktests>>(`/api/backtests/batches/${encodeURIComponent(batchId)}/rerun`, {
        method: "POST",
        body: JSON.stringify(body),
      }),
  });
}
