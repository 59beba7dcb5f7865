"use client";
/** React Query hook for trends: a type's, a queue's or the fleet's days (the roll-up moves every few minutes, so once a minute is enough). */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { TrendsJson } from "@/contracts/trends";
import { apiFetch } from "../api";

/** The last `days` days of a type, a queue, or (neither) the fleet. */
export function useTrendsQuery(days: 7 | 30 | 90, filter: { type?: string; queue?: string }) {
  const q = new URLSearchParams({ days: String(days) });
  if (filter.type) q.set("type", filter.type);
  if (filter.queue) q.set("queue", filter.queue);
  return useQuery({
    queryKey: ["trends", days, filter.type ?? null, filter.queue ?? null],
    queryFn: () => apiFetch<TrendsJson>(`/api/tasks/trends?${q}`),
    refetchInterval: 60_000,
    placeholderData: keepPreviousData,
  });
}
