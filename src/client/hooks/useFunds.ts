"use client";
/** React Query hooks for funds, signals, strategies and backtests. */
import { useEffect, useRef, useState } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import type { BacktestBatch } from "@/contracts/backtests";
import type { SignalsPage } from "@/contracts/signals";
import { apiFetch } from "../api";
import { mergeSignalPage, type SignalsByFund } from "../sniffer/signalsByFund";

export interface FundRow {
  code: string;
  name: string;
  kind: string;
  fund_type: string | null;
  latest_date: string | null;
  latest_nav: number | null;
  latest_acc_nav: number | null;
  return_1m: number | null;
  return_3m: number | null;
  return_1y: number | null;
}

export function useFundsQuery(q: string, type: string | undefined, page: number, pageSize: number) {
  const params = new URLSearchParams({ page: String(page), page_size: String(pageSize) });
  if (q) params.set("q", q);
  if (type) params.set("type", type);
  return useQuery({
    queryKey: ["funds", q, type, page, pageSize],
    queryFn: () => apiFetch<{ items: FundRow[]; page: number; page_size: number; total: number }>(`/api/funds?${params}`),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

const PAGE = 500;

/**
 * Follows a signals batch: polls its result pages (the newest page while it runs, then one
 * final sweep of every page) and merges them into signalsByFund. Survives a reload when the
 * task id is kept in the URL.
 */
export function useSignalsBatch(taskId: string | null) {
  const [byFund, setByFund] = useState<SignalsByFund>({});
  const [meta, setMeta] = useState<Pick<SignalsPage, "status" | "progress" | "run_id" | "total" | "expected"> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef(false);

  useEffect(() => {
    stop.current = false;
    setByFund({});
    setMeta(null);
    setError(null);
    if (!taskId) return;
    let page = 1;
    const fetchPage = async (p: number) => {
      const res = await apiFetch<SignalsPage>(`/api/funds/signals/batch_async/${taskId}?page=${p}&page_size=${PAGE}`);
      setByFund((prev) => mergeSignalPage(prev, res.items));
      setMeta({ status: res.status, progress: res.progress, run_id: res.run_id, total: res.total, expected: res.expected });
      return res;
    };
    const loop = async () => {
      try {
        for (;;) {
          if (stop.current) return;
          const res = await fetchPage(page);
          const finished = ["succeeded", "failed", "cancelled"].includes(res.status);
          if (res.items.length === PAGE) {
            page++;
            continue;
          }
          if (finished) {
            // Final sweep: rows written in the same instant can land on an earlier page.
            for (let p = 1; p < page && !stop.current; p++) await fetchPage(p);
            return;
          }
          await new Promise((r) => setTimeout(r, document.hidden ? 5_000 : 1_000));
        }
      } catch (err) {
        setError((err as Error).message);
      }
    };
    void loop();
    return () => {
      stop.current = true;
    };
  }, [taskId]);

  return { byFund, meta, error };
}

export function useEnqueueSignals() {
  return useMutation({
    mutationFn: (body: { fund_codes?: string[]; all?: true }) =>
      apiFetch<{ task_id: string }>("/api/funds/signals/batch", { method: "POST", body: JSON.stringify(body) }),
  });
}

export interface StrategyDef {
  id: string;
  name: string;
  description: string;
  params: Record<string, number>;
}

export function useStrategiesQuery() {
  return useQuery({ queryKey: ["strategies"], queryFn: () => apiFetch<{ items: StrategyDef[] }>("/api/strategies"), staleTime: Infinity });
}

export function useExecuteStrategy() {
  return useMutation({
    mutationFn: ({ id, params }: { id: string; params?: Record<string, number> }) =>
      apiFetch<{ task_id: string }>(`/api/strategies/${id}/execute`, { method: "POST", body: JSON.stringify(params ? { params } : {}) }),
  });
}

export function useCreateBacktests() {
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<{ batch_id: string; task_ids: string[] }>("/api/backtests", { method: "POST", body: JSON.stringify(body) }),
  });
}

export function useBacktestBatchQuery(batchId: string | null) {
  return useQuery({
    queryKey: ["backtest-batch", batchId],
    enabled: !!batchId,
    queryFn: () => apiFetch<BacktestBatch>(`/api/backtests/batches/${encodeURIComponent(batchId as string)}`),
    refetchInterval: (q) => (q.state.data && q.state.data.counts.queued + q.state.data.counts.running === 0 ? false : 1_500),
  });
}
