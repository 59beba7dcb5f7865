/**
 * Wake-ups, so an idle worker starts a new task without waiting for its poll tick.
 * PostgreSQL: LISTEN on the channels enqueue and cancel NOTIFY (delivered at commit), on a
 * dedicated connection that reconnects with backoff. SQLite: watch the database's WAL file;
 * every commit by any process appends to it.
 */
import fs from "node:fs";
import path from "node:path";
import { listenChannels } from "@/db/listen";
import { WAKEUP_CHANNEL } from "@/queue/sql/changes";
import { CANCEL_CHANNEL } from "@/queue/sql/control";
import type { Handoff } from "./handoff";

export interface WakeupHandlers {
  /** Something was enqueued (queue name when known). */
  onWake(queue: string | null): void;
  /** A cancel was requested (run id when known). */
  onCancel(runId: number | null): void;
}

export interface Wakeup {
  close(): Promise<void>;
  /**
   * Stop and resume delivering wake-ups (a busy worker needs none). Optional: LISTEN only
   * hears other processes' enqueues and costs nothing while busy.
   */
  pause?(): void;
  resume?(): void;
}

/**
 * LISTEN/NOTIFY on PostgreSQL; with `handoff`, also on the worker's own channel for tasks handed
 * to it, in a session that holds its hand-off lock.
 */
export function listenPostgres(url: string, h: WakeupHandlers, log: (m: string) => void, handoff?: Handoff): Wakeup {
  return listenChannels(
    url,
    handoff ? [WAKEUP_CHANNEL, CANCEL_CHANNEL, handoff.channel] : [WAKEUP_CHANNEL, CANCEL_CHANNEL],
    {
      notification(channel, payload) {
        if (channel === WAKEUP_CHANNEL) h.onWake(payload ?? null);
        else if (channel === CANCEL_CHANNEL) h.onCancel(payload ? Number(payload) : null);
        else if (channel === handoff?.channel) handoff.notified(payload);
      },
      setup: handoff && ((client) => handoff.setup(client)),
      lost: handoff && (() => handoff.lost()),
      // Anything enqueued, cancelled or handed to us while we were not listening is picked up by this wake.
      connected() {
        h.onWake(null);
        h.onCancel(null);
      },
    },
    log,
    "wake-up",
  );
}

/**
 * Watches the SQLite WAL file; coalesces bursts of commits into one wake. Pausable: every
 * page a commit writes — the worker's own included — is one event, so a busy worker closes
 * the watch (at 15,000 tasks a second that was 100,000 callbacks a second for nothing).
 */
export function watchSqlite(file: string, h: WakeupHandlers, log: (m: string) => void): Wakeup {
  const dir = path.dirname(file);
  const wal = `${path.basename(file)}-wal`;
  let pending: NodeJS.Immediate | null = null;
  let watcher: fs.FSWatcher | null = null;
  let closed = false;
  const open = () => {
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name !== wal || pending) return;
        // The events of one commit arrive in one turn of the event loop: setImmediate merges
        // them. It was setTimeout(…, 1), which Node fires a millisecond or more later — most of
        // the gap between an enqueue by another process and the start of its task (idle
        // latency p50 2.30 ms in the side-by-side harness).
        pending = setImmediate(() => {
          pending = null;
          h.onWake(null);
          h.onCancel(null);
        });
      });
      w.on("error", (err) => {
        log(`WAL watcher stopped (${err.message}); falling back to polling`);
        if (watcher === w) watcher = null;
      });
      watcher = w;
    } catch (err) {
      log(`cannot watch ${dir} (${(err as Error).message}); falling back to polling`);
    }
  };
  open();
  return {
    async close() {
      closed = true;
      if (pending) clearImmediate(pending);
      watcher?.close();
      watcher = null;
    },
    pause() {
      watcher?.close();
      watcher = null;
    },
    resume() {
      if (!closed && !watcher) open();
    },
  };
}
