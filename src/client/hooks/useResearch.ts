"use client";
/** React Query hooks for the history of screens and backtests (polled while the page is open), and screens compared. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { ResponseOf } from "@/contracts/endpoint";
import type { backtestHistory, ScreenComparison, screenHistory } from "@/contracts/research";
import { apiFetch } from "../api";

/** The filters both histories take (empty = not filtered). */
export interface HistoryFilters {
  strategy?: string;
  author?: string;
  schedule?: string;
  fund?: string;
}

function qs(f: HistoryFilters, cursor: string | null, limit: number): string {
  const p = new URLSearchParams({ limit: String(limit) });
  for (const [k, v] of Object.entries(f)) if (v) p.set(k, v);
  if (cursor) p.set("cursor", cursor);
  return p.toString();
}

/** A page of past screen runs. */
export function useScreenHistory(f: HistoryFilters, cursor: string | null, limit = 10) {
  return useQuery({
    queryKey: ["screen-history", f, cursor, limit],
    queryFn: () => apiFetch<ResponseOf<typeof screenHistory>>(`/api/strategies/runs?${qs(f, cursor, limit)}`),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

/** A page of past backtest batches. */
export function useBacktestHistory(f: HistoryFilters, cursor: string | null, limit = 10) {
  return useQuery({
    queryKey: ["backtest-history", f, cursor, limit],
    queryFn: () => apiFetch<ResponseOf<typeof backtestHistory>>(`/api/backtests/batches?${qs(f, cursor, limit)}`),
    refetchInterval: 5_000,
    placeholderData: keepPreviousData,
  });
}

/** Two to five screen runs compared: side by side, and the funds that entered and left. */
export function useScreenComparison(ids: string[]) {
  return useQuery({
    queryKey: ["screen-compare", ids],
    enabled: ids.length >= 2,
    queryFn: () => apiFetch<ScreenComparison>(`/api/strategies/runs/compare?ids=${ids.join(",")}`),
  });
}

/** Named backtest batches (two to five), summarised like the history, to compare them. */
export function useBatchComparison(batchIds: string[]) {
  return useQuery({
    queryKey: ["backtest-history", "compare", batchIds],
    enabled: batchIds.length >= 2,
    queryFn: () =>
      apiFetch<ResponseOf<typeof backtestHistory>>(`/api/backtests/batches?batches=${batchIds.map(encodeURIComponent).join(",")}`),
    refetchInterval: 5_000,
  });
}
