/**
 * Where a web server learns that the database changed, for the event stream.
 * PostgreSQL: LISTEN on the channels enqueues and cancels notify and on the workers' coalesced
 * change channel (src/queue/sql/changes.ts), on a dedicated connection that reconnects.
 * SQLite: `PRAGMA data_version` on a read-only connection of its own, every 100 ms; it moves on
 * every commit of any other connection (workers, and this process's own Prisma connection),
 * and reading it costs a few microseconds. Either way a slow poll every 2 s is the safety net.
 */
import Database from "better-sqlite3";
import { listenChannels } from "@/db/listen";
import type { Database as Db } from "@/db/client";
import { CANCEL_CHANNEL } from "@/queue/sql/control";
import { CHANGES_CHANNEL, WAKEUP_CHANNEL } from "@/queue/sql/changes";

/** How SQLite's data_version is sampled. */
export const DATA_VERSION_POLL_MS = 100;
/** A tick at least this often whatever the signals say (a lost notification costs at most this). */
export const SAFETY_POLL_MS = 2_000;

/** An open change source. */
export interface ChangeSource {
  kind: "notify" | "data_version" | "poll";
  close(): void;
}

/** Starts watching `database`; calls `onChange` after commits (coalesced by the caller). */
export function openChangeSource(database: Db, onChange: () => void, log: (m: string) => void): ChangeSource {
  const safety = setInterval(onChange, SAFETY_POLL_MS);
  safety.unref?.();
  if (database.provider === "postgres") return { kind: "notify", close: listen(database.url, onChange, log, safety) };
  if (database.file) {
    try {
      return { kind: "data_version", close: watchDataVersion(database.file, onChange, safety) };
    } catch (err) {
      log(`cannot open ${database.file} read-only for data_version (${(err as Error).message}); polling every ${SAFETY_POLL_MS} ms`);
    }
  }
  return { kind: "poll", close: () => clearInterval(safety) };
}

function watchDataVersion(file: string, onChange: () => void, safety: NodeJS.Timeout): () => void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const st = db.prepare("PRAGMA data_version").pluck();
  let last = st.get();
  const timer = setInterval(() => {
    const v = st.get();
    if (v !== last) {
      last = v;
      onChange();
    }
  }, DATA_VERSION_POLL_MS);
  timer.unref?.();
  return () => {
    clearInterval(timer);
    clearInterval(safety);
    db.close();
  };
}

function listen(url: string, onChange: () => void, log: (m: string) => void, safety: NodeJS.Timeout): () => void {
  const listener = listenChannels(url, [CHANGES_CHANNEL, WAKEUP_CHANNEL, CANCEL_CHANNEL], { notification: () => onChange(), connected: onChange }, log, "event stream's LISTEN");
  return () => {
    clearInterval(safety);
    void listener.close();
  };
}
