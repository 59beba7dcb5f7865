"use client";
/** React Query hooks for API tokens (admin): the list, and creating and revoking them. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TokenJson } from "@/contracts/auth";
import type { Page } from "@/contracts/endpoint";
import type { Role } from "@/contracts/roles";
import { apiFetch } from "../api";

/** Every token (up to 200), newest first. */
export function useTokensQuery() {
  return useQuery({ queryKey: ["tokens"], queryFn: () => apiFetch<Page<TokenJson>>("/api/auth/tokens?limit=200") });
}

/** Create and revoke API tokens. */
export function useTokenMutations() {
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: ["tokens"] });
  return {
    create: useMutation({
      mutationFn: (b: { name: string; role: Role; expires_in_days: number | null }) =>
        apiFetch<{ token: TokenJson; secret: string }>("/api/auth/tokens", { method: "POST", body: JSON.stringify(b) }),
      onSuccess: done,
    }),
    revoke: useMutation({ mutationFn: (id: string) => apiFetch(`/api/auth/tokens/${id}`, { method: "DELETE" }), onSuccess: done }),
  };
}
