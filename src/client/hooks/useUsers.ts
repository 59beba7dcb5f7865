"use client";
/** React Query hooks for users (admin): the list, and creating, changing and deleting them. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Page } from "@/contracts/endpoint";
import type { Role } from "@/contracts/roles";
import type { UserJson } from "@/contracts/users";
import { apiFetch } from "../api";

/** Every user (up to 200). */
export function useUsersQuery() {
  return useQuery({ queryKey: ["users"], queryFn: () => apiFetch<Page<UserJson>>("/api/users?limit=200") });
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
