"use client";
/** React Query hooks for the dashboard's figures: the overview (polled) and per-type statistics. */
import { useQuery } from "@tanstack/react-query";
import type { ResponseOf } from "@/contracts/endpoint";
import type { getStatistics, OverviewResponse } from "@/contracts/overview";
import { apiFetch } from "../api";
import { useLiveInvalidate, usePollInterval } from "../live/LiveProvider";

/** Counts, queues, running, next queued, recent, workers, today's figures; on every overview event while live, else every 3 s. */
export function useOverviewQuery() {
  useLiveInvalidate("overview", [["overview"]]);
  const interval = usePollInterval(3_000);
  return useQuery({ queryKey: ["overview"], queryFn: () => apiFetch<OverviewResponse>("/api/tasks/overview"), refetchInterval: interval });
}

/** Per-type statistics over the last `hours`; every minute. */
export function useStatisticsQuery(hours: number) {
  return useQuery({
    queryKey: ["statistics", hours],
    queryFn: () => apiFetch<ResponseOf<typeof getStatistics>>(`/api/tasks/statistics?from=${new Date(Date.now() - hours * 3600_000).toISOString()}`),
    refetchInterval: 60_000,
  });
}
