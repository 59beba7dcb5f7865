"use client";
/** React Query hooks for screening strategies: the list, and running one. */
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ResponseOf } from "@/contracts/endpoint";
import type { executeStrategy, listStrategies } from "@/contracts/strategies";
import { apiFetch } from "../api";

/** The strategies with their default parameters (they do not change while the app runs). */
export function useStrategiesQuery() {
  return useQuery({ queryKey: ["strategies"], queryFn: () => apiFetch<ResponseOf<typeof listStrategies>>("/api/strategies"), staleTime: Infinity });
}

/** Runs a strategy over all funds (with optional params): answers with the task id at once. */
export function useExecuteStrategy() {
  return useMutation({
    mutationFn: ({ id, params }: { id: string; params?: Record<string, number> }) =>
      apiFetch<ResponseOf<typeof executeStrategy>>(`/api/strategies/${id}/execute`, {
        method: "POST",
        body: JSON.stringify(params ? { params } : {}),
      }),
  });
}
