"use client";
/**
 * A run's log, fetched incrementally: each poll asks only for lines after the last seq it
 * has (`after_seq`) and appends them; polling stops once the run has finished and every line
 * is in. Level and text filters start a fresh log.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { LogLineJson, LogPage } from "@/contracts/runs";
import { apiFetch } from "../api";

/** The lines held in memory at most; older ones are dropped (the download has them all). */
export const LOG_VIEW_CAP = 20_000;

export interface LogState {
  lines: LogLineJson[];
  nextAfterSeq: number;
  /** The run finished and the last page was not full: nothing more will come. */
  complete: boolean;
  /** Lines dropped from the front because of the cap. */
  dropped: number;
  /** The last page was full: fetch again at once. */
  more: boolean;
}

export const EMPTY_LOG: LogState = { lines: [], nextAfterSeq: 0, complete: false, dropped: 0, more: false };

/** Appends a fetched page to what is held; never duplicates a line even if a page overlaps. */
export function mergeLogPage(prev: LogState, page: LogPage, limit: number, cap = LOG_VIEW_CAP): LogState {
  const last = prev.lines.length ? prev.lines[prev.lines.length - 1].seq : 0;
  const fresh = page.items.filter((l) => l.seq > last);
  let lines = fresh.length ? prev.lines.concat(fresh) : prev.lines;
  let dropped = prev.dropped;
  if (lines.length > cap) {
    dropped += lines.length - cap;
    lines = lines.slice(lines.length - cap);
  }
  const more = page.items.length >= limit;
  return { lines, nextAfterSeq: Math.max(prev.nextAfterSeq, page.next_after_seq), complete: page.run_finished && !more, dropped, more };
}

const PAGE = 1_000;

export function useRunLogs(runId: string, level: string | null, q: string | null, stream: "stdout" | "stderr" | null = null) {
  const qc = useQueryClient();
  const key = ["logs", runId, level, q, stream];
  return useQuery({
    queryKey: key,
    queryFn: async () => {
      const prev = qc.getQueryData<LogState>(key) ?? EMPTY_LOG;
      const params = new URLSearchParams({ after_seq: String(prev.nextAfterSeq), limit: String(PAGE) });
      if (level) params.set("level", level);
      if (q) params.set("q", q);
      if (stream) params.set("stream", stream);
      const page = await apiFetch<LogPage>(`/api/tasks/runs/${runId}/logs?${params}`);
      return mergeLogPage(prev, page, PAGE);
    },
    // Keep appending: at once while pages come back full, every second while the run is live.
    refetchInterval: (query) => (query.state.data?.complete ? false : query.state.data?.more ? 10 : 1_000),
    staleTime: Infinity,
  });
}
