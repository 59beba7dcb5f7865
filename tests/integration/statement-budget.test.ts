/**
 * A guard against gross slowness that is not a timing test: draining no-op tasks must cost
 * only a few SQL statements per task (claims are batched, closes group-committed). A change
 * that goes back to several round trips per task fails here, whatever the machine's speed.
 * The figures themselves come from `npm run bench`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueMany } from "@/queue/enqueue";
import { loadConfig } from "@/queue/config";
import { connOf } from "@/queue/sql/executor";
import { statementCounter } from "@/db/native";
import { registry } from "@/tasks";
import { createWorker } from "@/worker/worker";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { runLogMessages } from "./support/logs";

/**
 * Statements per drained task allowed (measured at concurrency 50: about 0.2 on SQLite, 0.05 on
 * PostgreSQL — one claim per round for every queue, closes and their log lines group-committed).
 */
const BUDGET = 1;

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`statement budget on ${kind}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await t.drop();
    });

    it(`draining noop tasks costs at most ${BUDGET} statement per task`, async () => {
      const N = 1_000;
      const conn = connOf(t.database.db, t.database.provider);
      expect(conn.native).toBeDefined();
      await enqueueMany(
        conn,
        registry,
        Array.from({ length: N }, () => ({ type: "noop", payload: {} })),
      );
      const config = loadConfig({}, { concurrency: 50, schedulerMs: 0 });
      const worker = createWorker({ database: t.database, registry, config, log: () => undefined });
      const before = statementCounter.count;
      await worker.start();
      // Polled through Prisma's own client, so the polling is not counted.
      await waitFor(async () => (await t.database.db.task.count({ where: { status: "succeeded" } })) === N, 60_000, "all tasks succeeded");
      const perTask = (statementCounter.count - before) / N;
      await worker.stop();
      console.log(`[budget] ${kind}: ${perTask.toFixed(2)} statements per task`);
      expect(perTask).toBeLessThanOrEqual(BUDGET);
      // And the work was real: one succeeded run per task.
      expect(await t.database.db.run.count({ where: { status: "succeeded" } })).toBe(N);
      // With its log: every run reads as started and succeeded, and no row was written for that —
      // both lines are rendered from the run row (src/queue/runLog.ts).
      expect(await t.database.db.runLog.count()).toBe(0);
      const run = await t.database.db.run.findFirstOrThrow();
      expect(await runLogMessages(t.conn, run.id)).toEqual([`attempt 1/${run.maxAttempts} started on worker ${run.workerId}`, "succeeded"]);
    });
  });
}
