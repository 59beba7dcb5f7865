/**
 * Demo data for a fresh database, so every page has something to show on first start:
 * a handful of demo tasks the worker runs right away (quick ones, a slower one with
 * progress, one that fails once and succeeds on retry, a compute task) and one delayed task.
 */
import type { Database } from "./client";
import { connOf } from "@/queue/sql/executor";
import { enqueueMany } from "@/queue/enqueue";
import type { Registry } from "@/queue/registry";

/** True when the database has never been used (no tasks, no worker ever registered). */
export async function isFresh(database: Database): Promise<boolean> {
  const [tasks, workers] = await Promise.all([database.db.task.count(), database.db.worker.count()]);
  return tasks === 0 && workers === 0;
}

/** Enqueues the demo tasks; returns how many. */
export async function seedDemo(database: Database, registry: Registry): Promise<number> {
  const conn = connOf(database.db, database.provider);
  const { ids } = await enqueueMany(
    conn,
    registry,
    [
      ...Array.from({ length: 5 }, () => ({ type: "noop" })),
      { type: "sleep", payload: { ms: 3_000, rows: 20 } },
      { type: "sleep", payload: { ms: 15_000 }, priority: 300 },
      { type: "flaky", payload: { fail_times: 1 } },
      { type: "busy", payload: { ms: 2_000 } },
      { type: "sleep", payload: { ms: 2_000 }, delayMs: 60_000 },
    ],
    { batchId: "demo" },
  );
  return ids.length;
}
