"use client";
/** React Query hooks for a schedule's backfills: the grid of dates (polled while any runs), and starting one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { BackfillJson } from "@/contracts/backfills";
import { apiFetch } from "../api";

/** Whether any date of these backfills is still waiting or running. */
export function backfillsLive(items: BackfillJson[] | undefined): boolean {
  return !!items?.some((b) => b.dates.some((d) => d.status === "queued" || d.status === "running"));
}

/**
 * A schedule's latest backfills with the status of every date: polled every 2 s while a date
 * is queued or running (every 15 s while the tab is hidden), not at all once everything ended.
 */
export function useBackfillsQuery(id: string, enabled = true) {
  return useQuery({
    queryKey: ["backfills", id],
    enabled,
    queryFn: () => apiFetch<{ items: BackfillJson[] }>(`/api/schedules/${encodeURIComponent(id)}/backfills`),
    refetchInterval: (q) => (backfillsLive(q.state.data?.items) ? (typeof document !== "undefined" && document.hidden ? 15_000 : 2_000) : false),
  });
}

/** Starts a backfill of a schedule over a date range (inclusive, YYYY-MM-DD). */
export function useBackfillMutation(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (range: { from: string; to: string }) =>
      apiFetch<{ backfill: BackfillJson }>(`/api/schedules/${encodeURIComponent(id)}/backfill`, { method: "POST", body: JSON.stringify(range) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["backfills", id] });
      void qc.invalidateQueries({ queryKey: ["runs"] });
      void qc.invalidateQueries({ queryKey: ["tasks"] });
      void qc.invalidateQueries({ queryKey: ["overview"] });
    },
  });
}
