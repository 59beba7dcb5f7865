"use client";
/**
 * Server push for the pages: one EventSource per tab on `GET /api/events`, with the union of
 * the topics the mounted components watch (useLiveTopic). React Query stays the cache: hooks
 * turn events into cache updates or invalidations, and stop polling while the stream is live.
 *
 * Fallback, by itself: the stream counts as live only once its `hello` event arrived. If it
 * cannot be opened, breaks, or sends nothing within HELLO_TIMEOUT_MS (a proxy that buffers the
 * response), the status is "polling" — every hook polls as it did before server push — and a
 * new attempt is made after RETRY_MS. After any gap (reconnect, `resync`) the active queries
 * are refetched once, so nothing missed meanwhile stays stale.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useQueryClient, type InvalidateQueryFilters, type QueryClient } from "@tanstack/react-query";
import { parseTopic } from "@/contracts/events";

/** connecting: opening; live: events flow; polling: no stream, the hooks poll. */
export type LiveStatus = "connecting" | "live" | "polling";

/** One event as a handler gets it (data parsed). */
export interface LiveEvent {
  event: string;
  data: unknown;
  id: string;
}

type Handler = (e: LiveEvent) => void;

interface LiveContext {
  status: LiveStatus;
  /** Watches `topic`; `afterSeq` (log topics) says where a (re)opened stream resumes. Returns the unsubscribe. */
  subscribe(topic: string, handler: Handler, afterSeq?: () => number | null): () => void;
}

/** The events a stream may carry (EventSource dispatches named events only to their listeners). */
const EVENTS = ["hello", "tasks", "task", "overview", "batch", "log", "log_end", "schedules", "resync"];
/** How long a new stream may take to say hello before the page falls back to polling. */
export const HELLO_TIMEOUT_MS = 5_000;
/** How long the page polls before trying the stream again. */
export const RETRY_MS = 20_000;

const Ctx = createContext<LiveContext>({ status: "polling", subscribe: () => () => undefined });

/**
 * Makes the queries `filters` match show what the database holds now (after an event, or a gap
 * in the stream): invalidated, and refetched if in use. A query still on its first fetch is
 * restarted first: React Query hands an invalidation of such a query the fetch in flight (it
 * cancels one only for a query that already has data), and that fetch may have read the
 * database before the change the event reports. Seen in CI on 2026-12-07: a screen that ran in
 * half a second stayed 运行中 0% on its page for good — the page's first GET of the task,
 * answered slowly on a loaded machine, came back "running" after the event of its end had
 * arrived and been folded into that same GET.
 */
export async function refreshQueries(qc: QueryClient, filters: InvalidateQueryFilters = {}): Promise<void> {
  await qc.cancelQueries(
    { ...filters, predicate: (q) => q.state.data === undefined && q.state.fetchStatus === "fetching" && (filters.predicate?.(q) ?? true) },
    { silent: true },
  );
  await qc.invalidateQueries(filters);
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const subs = useRef(new Map<string, Set<Handler>>());
  const resumes = useRef(new Map<string, () => number | null>());
  const [topicsKey, setTopicsKey] = useState("");
  const [attempt, setAttempt] = useState(0);
  const wasLive = useRef(false);

  const recompute = useCallback(() => {
    // Deferred: components subscribe in effects, several in one commit; one reconnect for all.
    queueMicrotask(() => setTopicsKey([...subs.current.keys()].sort().join(",")));
  }, []);

  const subscribe = useCallback(
    (topic: string, handler: Handler, afterSeq?: () => number | null) => {
      let set = subs.current.get(topic);
      if (!set) subs.current.set(topic, (set = new Set()));
      set.add(handler);
      if (afterSeq) resumes.current.set(topic, afterSeq);
      recompute();
      return () => {
        set.delete(handler);
        if (set.size === 0) {
          subs.current.delete(topic);
          resumes.current.delete(topic);
          recompute();
        }
      };
    },
    [recompute],
  );

  useEffect(() => {
    if (!topicsKey) return;
    if (typeof EventSource === "undefined") {
      setStatus("polling");
      return;
    }
    const params = new URLSearchParams({ topics: topicsKey });
    for (const [topic, resume] of resumes.current) {
      const seq = topic.endsWith(":logs") ? resume() : null;
      if (seq !== null) params.set("after_seq", String(seq));
    }
    const es = new EventSource(`/api/events?${params}`);
    let helloed = false;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const fallBack = () => {
      setStatus("polling");
      es.close();
      retry ??= setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
    };
    const helloTimer = setTimeout(() => {
      if (!helloed) fallBack();
    }, HELLO_TIMEOUT_MS);
    setStatus((s) => (s === "live" ? "live" : "connecting"));
    const dispatch = (name: string) => (m: MessageEvent) => {
      let data: unknown = null;
      try {
        data = JSON.parse(m.data as string);
      } catch {
        return;
      }
      if (name === "hello") {
        // Live from here; after a gap (a reconnect, or polling before), catch up once.
        if (wasLive.current || helloed) void refreshQueries(qc);
        helloed = true;
        wasLive.current = true;
        setStatus("live");
        return;
      }
      if (name === "resync") {
        void refreshQueries(qc);
        return;
      }
      const ev: LiveEvent = { event: name, data, id: m.lastEventId };
      for (const [topic, handlers] of subs.current) if (matches(topic, name, data)) for (const h of handlers) h(ev);
    };
    for (const name of EVENTS) es.addEventListener(name, dispatch(name) as EventListener);
    es.onerror = () => {
      // Closed for good (an HTTP error, e.g. blocked): poll, try again later. Reconnecting by
      // itself (the connection dropped): poll meanwhile; its hello makes it live again.
      if (es.readyState === EventSource.CLOSED || !helloed) fallBack();
      else setStatus("polling");
    };
    return () => {
      clearTimeout(helloTimer);
      if (retry) clearTimeout(retry);
      es.close();
    };
  }, [topicsKey, attempt, qc]);

  const value = useMemo(() => ({ status: topicsKey ? status : "polling", subscribe }) satisfies LiveContext, [status, subscribe, topicsKey]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** Whether an event belongs to a topic (one stream carries every topic's events). */
function matches(topic: string, event: string, data: unknown): boolean {
  const d = (data ?? {}) as Record<string, unknown>;
  const t = parseTopic(topic);
  switch (t.kind) {
    case "task":
      return event === "task" && d.id === String(t.id);
    case "batch":
      return event === "batch" && d.batch_id === t.id;
    case "logs":
      return (event === "log" || event === "log_end") && d.run_id === String(t.runId);
    default:
      return event === t.kind;
  }
}

/** The stream's status (for the indicator, and for hooks deciding whether to poll). */
export function useLiveStatus(): LiveStatus {
  return useContext(Ctx).status;
}

/** Calls `handler` with every event of `topic` while mounted (null: none). */
export function useLiveTopic(topic: string | null, handler: (e: LiveEvent) => void, afterSeq?: () => number | null): void {
  const { subscribe } = useContext(Ctx);
  const ref = useRef(handler);
  const seqRef = useRef(afterSeq);
  useEffect(() => {
    ref.current = handler;
    seqRef.current = afterSeq;
  });
  useEffect(() => {
    if (!topic) return;
    return subscribe(topic, (e) => ref.current(e), seqRef.current ? () => seqRef.current?.() ?? null : undefined);
  }, [topic, subscribe]);
}

/**
 * Invalidates `keys` when `topic` has an event: at once, then at most once per `everyMs`
 * (a drain's stream of events is one refetch a second, not one per event).
 */
export function useLiveInvalidate(topic: string | null, keys: readonly (readonly unknown[])[], everyMs = 1_000): void {
  const qc = useQueryClient();
  const state = useRef<{ last: number; timer: ReturnType<typeof setTimeout> | null }>({ last: 0, timer: null });
  const keysRef = useRef(keys);
  useEffect(() => {
    keysRef.current = keys;
  });
  useEffect(() => () => void (state.current.timer && clearTimeout(state.current.timer)), []);
  useLiveTopic(topic, () => {
    const s = state.current;
    const run = () => {
      s.last = Date.now();
      s.timer = null;
      for (const k of keysRef.current) void refreshQueries(qc, { queryKey: [...k] });
    };
    if (s.timer) return;
    const wait = s.last + everyMs - Date.now();
    if (wait <= 0) run();
    else s.timer = setTimeout(run, wait);
  });
}

/** A polling interval that is off while the stream is live (events drive the refetches then). */
export function usePollInterval(ms: number | false): number | false {
  return useLiveStatus() === "live" ? false : ms;
}
