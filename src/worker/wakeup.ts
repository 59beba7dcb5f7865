/**
 * Wake-ups, so an idle worker starts a new task without waiting for its poll tick.
 * PostgreSQL: LISTEN on the channels enqueue and cancel NOTIFY (delivered at commit), on a
 * dedicated connection that reconnects with backoff. SQLite: watch the database's WAL file;
 * every commit by any process appends to it.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { WAKEUP_CHANNEL } from "@/queue/sql/enqueue";
import { CANCEL_CHANNEL } from "@/queue/sql/control";

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

/** LISTEN/NOTIFY on PostgreSQL. */
export function listenPostgres(url: string, h: WakeupHandlers, log: (m: string) => void): Wakeup {
  let client: pg.Client | null = null;
  let closed = false;
  let delay = 250;
  let timer: NodeJS.Timeout | null = null;
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    c.on("error", (err) => {
      log(`wake-up connection lost (${err.message}); reconnecting`);
      void c.end().catch(() => undefined);
      if (client === c) client = null;
      retry();
    });
    c.on("notification", (n) => {
      if (n.channel === WAKEUP_CHANNEL) h.onWake(n.payload ?? null);
      else if (n.channel === CANCEL_CHANNEL) h.onCancel(n.payload ? Number(n.payload) : null);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${WAKEUP_CHANNEL}; LISTEN ${CANCEL_CHANNEL}`);
      if (closed) return void (await c.end());
      client = c;
      delay = 250;
      // Anything enqueued while we were not listening is picked up by this wake.
      h.onWake(null);
      h.onCancel(null);
    } catch (err) {
      log(`wake-up connection failed (${(err as Error).message}); retrying in ${delay} ms`);
      void c.end().catch(() => undefined);
      retry();
    }
  };
  const retry = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    delay = Math.min(delay * 2, 10_000);
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}

/**
 * Watches the SQLite WAL file; coalesces bursts of commits into one wake. Pausable: every
 * page a commit writes — the worker's own included — is one event, so a busy worker closes
 * the watch (at 15,000 tasks a second that was 100,000 callbacks a second for nothing).
 */
export function watchSqlite(file: string, h: WakeupHandlers, log: (m: string) => void): Wakeup {
  const dir = path.dirname(file);
  const wal = `${path.basename(file)}-wal`;
  let pending: NodeJS.Timeout | null = null;
  let watcher: fs.FSWatcher | null = null;
  let closed = false;
  const open = () => {
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, name) => {
        if (name !== wal || pending) return;
        pending = setTimeout(() => {
          pending = null;
          h.onWake(null);
          h.onCancel(null);
        }, 1);
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
      if (pending) clearTimeout(pending);
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
