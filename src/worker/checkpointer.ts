/**
 * SQLite: WAL checkpoints off the event loop. By default SQLite checkpoints inside the commit
 * that pushes the WAL past 1,000 pages: that commit copies the pages into the database file
 * and fsyncs it, on the worker's one connection, blocking the event loop — about an eighth of
 * a busy drain's time. A worker instead runs PASSIVE checkpoints from a thread with its own
 * connection (they never block writers or readers), and raises its own connection's automatic
 * checkpoint from 1,000 to 4,000 pages. Under constant writes a passive checkpoint never quite
 * catches up, so that automatic checkpoint still runs — but the thread has already copied
 * nearly every page, so it is short, and it lets the WAL start over (16 MiB at most). If the
 * thread stops, the connection simply checkpoints by itself as before.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** WAL pages (4 KiB) past which the worker's own connection checkpoints (what the thread left). */
export const SAFETY_NET_PAGES = 4000;

const CODE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 0 });
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // busy or locked: the next tick tries again, and the safety net stays in place
  }
}, workerData.everyMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer thread. */
export interface Checkpointer {
  stop(): Promise<void>;
}

/** Starts checkpointing the WAL of SQLite database `file` every `everyMs` from a thread. */
export function startCheckpointer(file: string, everyMs = 100, log: (m: string) => void = () => undefined): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const thread = new Worker(CODE, { eval: true, workerData: { file, everyMs, driver } });
  thread.on("error", (err) => log(`WAL checkpointer stopped (${err.message}); the connection checkpoints by itself`));
  thread.unref();
  const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()));
  return {
    async stop() {
      // Referenced again while it closes its connection, or the process could exit under it.
      thread.ref();
      thread.postMessage("stop");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
      await thread.terminate();
    },
  };
}
