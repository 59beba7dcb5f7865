"use client";
/** React Query hooks for backtests: creating a batch (one task per fund), and following it. */
import { useMutation, useQuery } from "@tanstack/react-query";
import type { BacktestBatch, createBacktests } from "@/contracts/backtests";
import type { ResponseOf } from "@/contracts/endpoint";
import { apiFetch } from "../api";

/** Creates one backtest task per fund as one batch. */
export function useCreateBacktests() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<ResponseOf<typeof createBacktests>>("/api/backtests", { method: "POST", body: JSON.stringify(body) }),
  });
}

/** A backtest batch with each fund's status and metrics; polled until nothing is queued or running. */
export function useBacktestBatchQuery(batchId: string | null) {
  return useQuery({
    queryKey: ["backtest-batch", batchId],
    enabled: !!batchId,
    queryFn: () => apiFetch<BacktestBatch>(`/api/backtests/batches/${encodeURIComponent(batchId as string)}`),
    refetchInterval: (q) => (q.state.data && q.state.data.counts.queued + q.state.data.counts.running === 0 ? false : 1_500),
  });
}
