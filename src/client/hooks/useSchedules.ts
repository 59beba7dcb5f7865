"use client";
/**
 * React Query hooks for schedules: the list and one schedule (polled), the actions (each
 * refreshes them) and the live preview of a timing's next fire times for the form (debounced,
 * never retried: a 400 is the answer, not a glitch). Backfills: useBackfills; import and
 * export: useCatalogue.
 */
import { useEffect, useState } from "react";
import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { CreateScheduleBody, PatchScheduleBody, PreviewBody, ScheduleFireJson, ScheduleJson } from "@/contracts/schedules";
import { ApiError, apiFetch } from "../api";
import type { Page } from "@/contracts/endpoint";
import { useLiveInvalidate, usePollInterval } from "../live/LiveProvider";

export type CreateScheduleInput = z.input<typeof CreateScheduleBody>;
export type PatchScheduleInput = z.input<typeof PatchScheduleBody>;
/** The timing fields the preview takes (`count` defaults to five on the server). */
export type ScheduleTiming = Omit<z.input<typeof PreviewBody>, "count">;

/** One page of schedules (by id), polled every 5 s. */
export function useSchedulesQuery(cursor: string | null, limit = 50) {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor) q.set("cursor", cursor);
  useLiveInvalidate("schedules", [["schedules"]]);
  const interval = usePollInterval(5_000);
  return useQuery({
    queryKey: ["schedules", cursor, limit],
    queryFn: () => apiFetch<Page<ScheduleJson>>(`/api/schedules?${q}`),
    refetchInterval: interval,
    placeholderData: keepPreviousData,
  });
}

/** One schedule (polled every 5 s); its key sits under ["schedules"], so every action refreshes it too. */
export function useScheduleQuery(id: string) {
  useLiveInvalidate("schedules", [["schedules", "one", id]]);
  const interval = usePollInterval(5_000);
  return useQuery({
    queryKey: ["schedules", "one", id],
    queryFn: () => apiFetch<{ schedule: ScheduleJson }>(`/api/schedules/${encodeURIComponent(id)}`),
    refetchInterval: interval,
    retry: (n, err) => !(err instanceof ApiError && err.status === 404) && n < 2,
  });
}

/** The schedule's latest slots, fired or skipped (polled with it). */
export function useScheduleFiresQuery(id: string, limit = 30) {
  useLiveInvalidate("schedules", [["schedules", "fires", id]]);
  const interval = usePollInterval(5_000);
  return useQuery({
    queryKey: ["schedules", "fires", id, limit],
    queryFn: () => apiFetch<{ items: ScheduleFireJson[] }>(`/api/schedules/${encodeURIComponent(id)}/fires?limit=${limit}`),
    refetchInterval: interval,
  });
}

/** Create, patch, delete, pause, resume and trigger; each refreshes the list. */
export function useScheduleActions() {
  const qc = useQueryClient();
  const refresh = () => void qc.invalidateQueries({ queryKey: ["schedules"] });
  const post = (id: string, action: "pause" | "resume") =>
    apiFetch<{ schedule: ScheduleJson }>(`/api/schedules/${encodeURIComponent(id)}/${action}`, { method: "POST" });
  return {
    create: useMutation({
      mutationFn: (body: CreateScheduleInput) =>
        apiFetch<{ schedule: ScheduleJson }>("/api/schedules", { method: "POST", body: JSON.stringify(body) }),
      onSuccess: refresh,
    }),
    patch: useMutation({
      mutationFn: ({ id, body }: { id: string; body: PatchScheduleInput }) =>
        apiFetch<{ schedule: ScheduleJson }>(`/api/schedules/${encodeURIComponent(id)}`, { method: "PATCH", body: JSON.stringify(body) }),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (id: string) => apiFetch(`/api/schedules/${encodeURIComponent(id)}`, { method: "DELETE" }),
      onSuccess: refresh,
    }),
    pause: useMutation({ mutationFn: (id: string) => post(id, "pause"), onSuccess: refresh }),
    resume: useMutation({ mutationFn: (id: string) => post(id, "resume"), onSuccess: refresh }),
    trigger: useMutation({
      mutationFn: (id: string) => apiFetch<{ task_id: string }>(`/api/schedules/${encodeURIComponent(id)}/trigger`, { method: "POST" }),
      onSuccess: () => {
        refresh();
        void qc.invalidateQueries({ queryKey: ["tasks"] });
        void qc.invalidateQueries({ queryKey: ["overview"] });
      },
    }),
  };
}

/** The preview query of one timing; also used by the form to check a timing before saving. */
export function schedulePreviewOptions(timing: ScheduleTiming) {
  return queryOptions({
    queryKey: ["schedule-preview", timing],
    queryFn: () => apiFetch<{ next_runs: string[] }>("/api/schedules/preview", { method: "POST", body: JSON.stringify(timing) }),
    retry: false,
    // Cron answers move with the clock; a short freshness keeps typing back and forth cheap.
    staleTime: 15_000,
  });
}

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [debounced, setDebounced] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const id = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(id);
    // The serialized value is the dependency: a new object with the same fields is no change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, ms]);
  return debounced;
}

/**
 * The next fire times of `timing` (null: not filled in enough to ask), asked ~300 ms after it
 * stops changing. `settling` is true while the typed timing is newer than the one asked about.
 */
export function useSchedulePreview(timing: ScheduleTiming | null) {
  const debounced = useDebounced(timing);
  const query = useQuery({
    ...schedulePreviewOptions(debounced ?? { kind: "cron" }),
    enabled: debounced !== null,
    placeholderData: keepPreviousData,
  });
  return { ...query, timing: debounced, settling: JSON.stringify(timing) !== JSON.stringify(debounced) };
}
