"use client";
/** React Query hooks for the dashboard's figures: the overview (polled) and per-type statistics. */
import { useQuery } from "@tanstack/react-query";
import type { ResponseOf } from "@/contracts/endpoint";
import type { getStatistics, OverviewResponse } from "@/contracts/overview";
import { apiFetch } from "../api";

/** Counts, queues, running, next queued, recent, workers, today's figures; every 3 s. */
export function useOverviewQuery() {
  return useQuery({ queryKey: ["overview"], queryFn: () => apiFetch<OverviewResponse>("/api/tasks/overview"), refetchInterval: 3_000 });
}

/** Per-type statistics over the last `hours`; every minute. */
export function useStatisticsQuery(hours: number) {
  return useQuery({
    queryKey: ["statistics", hours],
    queryFn: () => apiFetch<ResponseOf<typeof getStatistics>>(`/api/tasks/statistics?from=${new Date(Date.now() - hours * 3600_000).toISOString()}`),
    refetchInterval: 60_000,
  });
}
