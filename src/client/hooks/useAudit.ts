"use client";
/** React Query hook for the audit log (admin). */
import { useInfiniteQuery } from "@tanstack/react-query";
import type { AuditJson } from "@/contracts/audit";
import type { Page } from "@/contracts/endpoint";
import { apiFetch } from "../api";

/** The audit log, newest first, a page at a time; filters are part of the key. */
export function useAuditQuery(filters: { actor?: string; action?: string }) {
  return useInfiniteQuery({
    queryKey: ["audit", filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const q = new URLSearchParams({ limit: "50" });
      if (pageParam) q.set("cursor", pageParam);
      if (filters.actor) q.set("actor", filters.actor);
      if (filters.action) q.set("action", filters.action);
      return apiFetch<Page<AuditJson>>(`/api/audit?${q}`);
    },
    getNextPageParam: (last) => last.next_cursor,
  });
}
