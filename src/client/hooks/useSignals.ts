"use client";
/** React Query hooks for signals batches: enqueueing one, and following its results into a map by fund. */
import { useEffect, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import type { ResponseOf } from "@/contracts/endpoint";
import type { signalsBatch, SignalsPage } from "@/contracts/signals";
import { apiFetch } from "../api";
import { useLiveStatus, useLiveTopic } from "../live/LiveProvider";
import { mergeSignalPage, type SignalsByFund } from "../sniffer/signalsByFund";

/** Results per request while following a batch. */
const PAGE = 500;

/**
 * Follows a signals batch: polls its result pages (the newest page while it runs, then one
 * final sweep of every page) and merges them into signalsByFund. Survives a reload when the
 * task id is kept in the URL.
 */
export function useSignalsBatch(taskId: string | null) {
  const [byFund, setByFund] = useState<SignalsByFund>({});
  const [meta, setMeta] = useState<Pick<SignalsPage, "status" | "progress" | "run_id" | "total" | "expected"> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const stop = useRef(false);
  const wake = useRef<(() => void) | null>(null);
  const liveRef = useRef(false);
  liveRef.current = useLiveStatus() === "live";
  useLiveTopic(taskId ? `task:${taskId}` : null, () => wake.current?.());

  useEffect(() => {
    stop.current = false;
    setByFund({});
    setMeta(null);
    setError(null);
    if (!taskId) return;
    let page = 1;
    const fetchPage = async (p: number) => {
      const res = await apiFetch<SignalsPage>(`/api/funds/signals/batch_async/${taskId}?page=${p}&page_size=${PAGE}`);
      setByFund((prev) => mergeSignalPage(prev, res.items));
      setMeta({ status: res.status, progress: res.progress, run_id: res.run_id, total: res.total, expected: res.expected });
      return res;
    };
    const loop = async () => {
      try {
        for (;;) {
          if (stop.current) return;
          const res = await fetchPage(page);
          const finished = ["succeeded", "failed", "cancelled"].includes(res.status);
          if (res.items.length === PAGE) {
            page++;
            continue;
          }
          if (finished) {
            // Final sweep: rows written in the same instant can land on an earlier page.
            for (let p = 1; p < page && !stop.current; p++) await fetchPage(p);
            return;
          }
          // Live: the next change of the task (progress comes with its rows); else a poll interval.
          await new Promise<void>((r) => {
            const timer = setTimeout(r, liveRef.current ? 10_000 : document.hidden ? 5_000 : 1_000);
            wake.current = () => {
              clearTimeout(timer);
              r();
            };
          });
          wake.current = null;
        }
      } catch (err) {
        setError((err as Error).message);
      }
    };
    void loop();
    return () => {
      stop.current = true;
    };
  }, [taskId]);

  return { byFund, meta, error };
}

/** Enqueues a signals batch for the given funds (or all): answers with its task id at once. */
export function useEnqueueSignals() {
  return useMutation({
    mutationFn: (body: { fund_codes?: string[]; all?: true }) =>
      apiFetch<ResponseOf<typeof signalsBatch>>("/api/funds/signals/batch", { method: "POST", body: JSON.stringify(body) }),
  });
}
