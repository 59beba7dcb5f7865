"use client";
/** React Query hook for the task types the server can run (they do not change while it runs). */
import { useQuery } from "@tanstack/react-query";
import type { TaskTypeJson } from "@/contracts/catalogue";
import { apiFetch } from "../api";

/** Every registered task type with its payload's JSON Schema. */
export function useTaskTypesQuery() {
  return useQuery({ queryKey: ["task-types"], queryFn: () => apiFetch<{ items: TaskTypeJson[] }>("/api/task-types"), staleTime: Infinity });
}
