"use client";
/** React Query hooks for the admin resources: users, API tokens, the audit log. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AuditJson } from "@/contracts/audit";
import type { TokenJson } from "@/contracts/auth";
import type { UserJson } from "@/contracts/users";
import type { Page } from "@/contracts/endpoint";
import type { Role } from "@/contracts/roles";
import { apiFetch } from "../api";

export function useUsersQuery() {
  return useQuery({ queryKey: ["users"], queryFn: () => apiFetch<Page<UserJson>>("/api/users?limit=200") });
}

export function useTokensQuery() {
  return useQuery({ queryKey: ["tokens"], queryFn: () => apiFetch<Page<TokenJson>>("/api/auth/tokens?limit=200") });
}

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

/** Create, change and delete users; every success refreshes the list. */
export function useUserMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ["users"] });
  return {
    create: useMutation({
      mutationFn: (b: { username: string; password: string; role: Role }) => apiFetch("/api/users", { method: "POST", body: JSON.stringify(b) }),
      onSuccess: done,
    }),
    update: useMutation({
      mutationFn: ({ id, ...b }: { id: string; role?: Role; password?: string; disabled?: boolean }) =>
        apiFetch(`/api/users/${id}`, { method: "PATCH", body: JSON.stringify(b) }),
      onSuccess: done,
    }),
    remove: useMutation({ mutationFn: (id: string) => apiFetch(`/api/users/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}

/** Create and revoke API tokens. */
export function useTokenMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ["tokens"] });
  return {
    create: useMutation({
      mutationFn: (b: { name: string; role: Role; expires_in_days?: number }) =>
        apiFetch<{ token: TokenJson; secret: string }>("/api/auth/tokens", { method: "POST", body: JSON.stringify(b) }),
      onSuccess: done,
    }),
    revoke: useMutation({ mutationFn: (id: string) => apiFetch(`/api/auth/tokens/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}
