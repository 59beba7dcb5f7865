/**
 * Demo data for a fresh database, so every page has something to show on first start: the
 * fund universe (universe.ts) and a handful of demo tasks the worker runs right away (quick
 * ones, a slower one with progress, one that fails once and succeeds on retry, a compute task)
 * plus one delayed task.
 */
import type { Database, Db } from "@/db/client";
import { encodeSeries, summarize } from "@/domain/series";
import { enqueueMany } from "@/queue/enqueue";
import type { Registry } from "@/queue/registry";
import { connOf } from "@/queue/sql/executor";
import { generateUniverse } from "./universe";

/** Rows per createMany (a five-year series row is ~24 KB). */
const INSERT_CHUNK = 200;

/**
 * Loads the demo universe into an empty `instruments` table (nothing happens otherwise), in
 * one transaction. Returns how many funds were loaded (the real indices and stocks come on top).
 */
export async function seedFunds(db: Db, count = Number(process.env.DEMO_FUNDS ?? 2000)): Promise<number> {
  if (!Number.isFinite(count) || count < 0) count = 2000;
  if ((await db.instrument.count()) > 0) return 0;
  const { instruments, series } = generateUniverse(count);
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < series.length; i += INSERT_CHUNK) {
        const part = series.slice(i, i + INSERT_CHUNK);
        // nav_series first: the first statement of a SQLite transaction must be a write.
        await tx.navSeries.createMany({ data: part.map((s) => ({ code: s.code, ...encodeSeries(s) })) });
        await tx.instrument.createMany({
          data: part.map((s, k) => {
            const inst = instruments[i + k];
            return { code: inst.code, name: inst.name, kind: inst.kind, fundType: inst.fundType, ...summarize(s) };
          }),
        });
      }
    },
    { maxWait: 30_000, timeout: 600_000 },
  );
  return instruments.filter((x) => x.kind === "fund").length;
}

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
