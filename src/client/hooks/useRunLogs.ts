"use client";
/**
 * A run's log, fetched incrementally: each poll asks only for lines after the last seq it
 * has (`after_seq`) and appends them; polling stops once the run has finished and every line
 * is in. Level and text filters start a fresh log.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { LogLineJson, LogPage } from "@/contracts/runs";
import { apiFetch } from "../api";
import { refreshQueries, useLiveStatus, useLiveTopic } from "../live/LiveProvider";

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

/**
 * A run's log. While the event stream is live, new lines arrive as `log` events on
 * `run:{id}:logs` and are appended at once (unfiltered view; a filtered view, or a gap in the
 * seqs, refetches after its last seq instead); otherwise the log is polled every second.
 */
export function useRunLogs(runId: string, level: string | null, q: string | null, stream: "stdout" | "stderr" | null = null) {
  const qc = useQueryClient();
  const key = ["logs", runId, level, q, stream];
  const live = useLiveStatus() === "live";
  const filtered = level !== null || q !== null || stream !== null;
  useLiveTopic(
    `run:${runId}:logs`,
    (e) => {
      const prev = qc.getQueryData<LogState>(key);
      if (e.event === "log" && prev && !filtered) {
        const line = e.data as LogLineJson & { run_id: string };
        const last = prev.lines.length ? prev.lines[prev.lines.length - 1].seq : prev.nextAfterSeq;
        if (line.seq <= last) return;
        if (line.seq === last + 1) {
          const { run_id: _run, ...item } = line;
          void _run;
          qc.setQueryData<LogState>(key, mergeLogPage(prev, { items: [item], next_after_seq: line.seq, run_finished: false }, PAGE));
          return;
        }
      }
      // log_end, a gap, a filtered view, or nothing loaded yet: read what is after the last seq held.
      void refreshQueries(qc, { queryKey: key, exact: true });
    },
    () => qc.getQueryData<LogState>(key)?.nextAfterSeq ?? null,
  );
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
    // Keep appending: at once while pages come back full, every second while the run is live (unless pushed).
    refetchInterval: (query) => (query.state.data?.complete ? false : query.state.data?.more ? 10 : live ? false : 1_000),
    staleTime: Infinity,
  });
}
