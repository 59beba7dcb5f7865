"use client";
/** React Query hook for the schedule catalogue's YAML: import (preview first), and the export's URL. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ImportResult } from "@/contracts/catalogue";
import { apiFetch } from "../api";

/** The export download (a YAML file in the format of config/tasks.yaml). */
export const SCHEDULES_EXPORT_URL = "/api/schedules/export";

/** Posts a YAML catalogue to the import: a preview (dry run) or the real thing; applying refreshes the lists. */
export function useScheduleImport() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ text, mode, dryRun }: { text: string; mode: "merge" | "replace"; dryRun: boolean }) =>
      apiFetch<ImportResult>(`/api/schedules/import?${new URLSearchParams({ dry_run: String(dryRun), mode })}`, {
        method: "POST",
        body: text,
        headers: { "content-type": "application/yaml" },
      }),
    onSuccess: (r) => {
      if (r.applied) void qc.invalidateQueries({ queryKey: ["schedules"] });
    },
  });
}
