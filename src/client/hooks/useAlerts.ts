"use client";
/** React Query hooks for alerts (admin): channels, rules, the history (polled), and their actions. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AlertEventJson, ChannelJson, RuleJson } from "@/contracts/alerts";
import type { Page } from "@/contracts/endpoint";
import { apiFetch } from "../api";
import { useLiveInvalidate, usePollInterval } from "../live/LiveProvider";

/** Every channel. */
export function useChannelsQuery() {
  return useQuery({ queryKey: ["alerts", "channels"], queryFn: () => apiFetch<{ items: ChannelJson[] }>("/api/alerts/channels") });
}

/** Every rule with its state; refreshed every 10 s (state changes as rules are evaluated). */
export function useRulesQuery() {
  return useQuery({ queryKey: ["alerts", "rules"], queryFn: () => apiFetch<{ items: RuleJson[] }>("/api/alerts/rules"), refetchInterval: 10_000 });
}

/** The history, newest first, page by page; refreshed when tasks change (live) or every 5 s (polling). */
export function useAlertHistory() {
  // Deliveries are notify tasks: their changes refresh the history while the stream is live.
  useLiveInvalidate("tasks", [["alerts", "history"]]);
  const interval = usePollInterval(5_000);
  return useInfiniteQuery({
    queryKey: ["alerts", "history"],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => apiFetch<Page<AlertEventJson>>(`/api/alerts/history?limit=50${pageParam ? `&cursor=${pageParam}` : ""}`),
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: interval,
  });
}

/** Create, change, delete and test; each refreshes the alert views. */
export function useAlertMutations() {
  const qc = useQueryClient();
  const done = () => void qc.invalidateQueries({ queryKey: ["alerts"] });
  const send = (method: string, path: string, body?: unknown) => apiFetch(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return {
    createChannel: useMutation({ mutationFn: (b: Record<string, unknown>) => send("POST", "/api/alerts/channels", b), onSuccess: done }),
    patchChannel: useMutation({ mutationFn: ({ id, ...b }: { id: string } & Record<string, unknown>) => send("PATCH", `/api/alerts/channels/${id}`, b), onSuccess: done }),
    deleteChannel: useMutation({ mutationFn: (id: string) => send("DELETE", `/api/alerts/channels/${id}`), onSuccess: done }),
    testChannel: useMutation({ mutationFn: (id: string) => apiFetch<{ event_id: string; task_id: string }>(`/api/alerts/channels/${id}/test`, { method: "POST" }), onSuccess: done }),
    createRule: useMutation({ mutationFn: (b: Record<string, unknown>) => send("POST", "/api/alerts/rules", b), onSuccess: done }),
    patchRule: useMutation({ mutationFn: ({ id, ...b }: { id: string } & Record<string, unknown>) => send("PATCH", `/api/alerts/rules/${id}`, b), onSuccess: done }),
    deleteRule: useMutation({ mutationFn: (id: string) => send("DELETE", `/api/alerts/rules/${id}`), onSuccess: done }),
  };
}
