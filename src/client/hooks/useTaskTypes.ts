"use client";
/** React Query hook for the task types the server can run (they do not change while it runs). */
import { useQuery } from "@tanstack/react-query";
import type { TaskTypeJson } from "@/contracts/catalogue";
import { roleAtLeast } from "@/contracts/roles";
import { apiFetch } from "../api";
import { useI18n } from "../i18n";
import { useMe } from "../me";

/** Every registered task type with its payload's JSON Schema. */
export function useTaskTypesQuery() {
  return useQuery({ queryKey: ["task-types"], queryFn: () => apiFetch<{ items: TaskTypeJson[] }>("/api/task-types"), staleTime: Infinity });
}

/** The type picker's options: every type, those needing a higher role than the user's shown but disabled. */
export function useTaskTypeOptions() {
  const types = useTaskTypesQuery();
  const me = useMe();
  const { t } = useI18n();
  return (types.data?.items ?? []).map((x) => {
    const allowed = roleAtLeast(me.role, x.role);
    return { value: x.name, label: `${x.title} (${x.name})${allowed ? "" : ` · ${t.create.needsRole(t.roles[x.role])}`}`, disabled: !allowed };
  });
}
