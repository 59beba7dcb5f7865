"use client";
/** React Query hooks for queues: their figures (refreshed with the overview) and pause, resume and limits. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { QueueJson, QueueLimitsBody } from "@/contracts/queues";
import { apiFetch } from "../api";
import { useLiveInvalidate, usePollInterval } from "../live/LiveProvider";

/** Every queue; on every overview event while live, else every 3 s. */
export function useQueuesQuery() {
  useLiveInvalidate("overview", [["queues"]]);
  const interval = usePollInterval(3_000);
  return useQuery({ queryKey: ["queues"], queryFn: () => apiFetch<{ items: QueueJson[] }>("/api/queues"), refetchInterval: interval });
}

/** Pause, resume and set limits; each refreshes the queues. */
export function useQueueMutations() {
  const qc = useQueryClient();
  const done = () => void qc.invalidateQueries({ queryKey: ["queues"] });
  const path = (name: string) => `/api/queues/${encodeURIComponent(name)}`;
  return {
    pause: useMutation({ mutationFn: (name: string) => apiFetch<{ queue: QueueJson }>(`${path(name)}/pause`, { method: "POST" }), onSuccess: done }),
    resume: useMutation({ mutationFn: (name: string) => apiFetch<{ queue: QueueJson }>(`${path(name)}/resume`, { method: "POST" }), onSuccess: done }),
    setLimits: useMutation({
      mutationFn: ({ name, ...body }: { name: string } & QueueLimitsBody) => apiFetch<{ queue: QueueJson }>(path(name), { method: "PATCH", body: JSON.stringify(body) }),
      onSuccess: done,
    }),
  };
}
