/**
 * The worker vacuums the engine's tables itself when autovacuum leaves them to bloat (see
 * src/worker/vacuumKeeper.ts): on PostgreSQL with autovacuum off for `tasks`, an idle worker
 * finds 12,000 dead row versions there and vacuums the table; with fewer than
 * VACUUM_MIN_DEAD it leaves it alone. SQLite has nothing to vacuum and is left alone.
 */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "@/queue/config";
import { readBloat, vacuumBloated, VACUUM_MIN_DEAD } from "@/queue/sql/maintenance";
import { registry } from "@/tasks";
import { createWorker } from "@/worker/worker";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";

/** Inserts and deletes `n` task rows through a connection of its own, its statistics flushed at once. */
async function leaveDeadRows(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Off for this table whatever the server's setting, so the test does not depend on it.
    await c.query("ALTER TABLE tasks SET (autovacuum_enabled = false)");
    await c.query(
      `INSERT INTO tasks (type, queue, payload, priority, status, run_at, attempts, max_attempts, timeout_ms, progress, created_at, cancel_requested)
       SELECT 'noop', 'default', '{}', 500, 'succeeded', now(), 1, 1, 1000, 100, now(), false FROM generate_series(1, $1)`,
      [n],
    );
    await c.query("DELETE FROM tasks");
    // Counters reach pg_stat_user_tables when a backend flushes them (up to seconds later): now.
    await c.query("SELECT pg_stat_force_next_flush()");
    await c.query("SELECT 1");
  } finally {
    await c.end();
  }
}

const vacuums = async (t: TestDb) =>
  Number((await t.database.db.$queryRawUnsafe<{ n: unknown }[]>("SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'tasks'"))[0].n);

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`vacuum of bloated tables on ${kind}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await t.drop();
    });

    if (kind === "sqlite") {
      it("does nothing on SQLite", async () => {
        expect(await vacuumBloated(t.conn)).toEqual([]);
      });
      return;
    }

    it("leaves a table with few dead rows alone", async () => {
      await leaveDeadRows(t.url, VACUUM_MIN_DEAD / 10);
      const tasks = (await readBloat(t.conn)).find((b) => b.name === "tasks");
      expect(tasks?.autovacuum).toBe(false);
      expect(await vacuumBloated(t.conn)).toEqual([]);
      expect(await vacuums(t)).toBe(0);
    });

    it("an idle worker vacuums a bloated table that autovacuum does not look after", async () => {
      await leaveDeadRows(t.url, VACUUM_MIN_DEAD + 2_000);
      const before = await waitFor(
        async () => {
          const b = (await readBloat(t.conn)).find((x) => x.name === "tasks");
          return b && b.dead >= VACUUM_MIN_DEAD ? b : null;
        },
        15_000,
        "dead rows counted",
      );
      expect(before.autovacuum).toBe(false);
      const logs: string[] = [];
      const config = loadConfig({}, { concurrency: 4, schedulerMs: 0, vacuumCheckMs: 200 });
      const worker = createWorker({ database: t.database, registry, config, log: (m) => logs.push(m) });
      await worker.start();
      try {
        await waitFor(async () => (await vacuums(t)) > 0, 15_000, "tasks vacuumed");
        await waitFor(() => logs.some((m) => m.startsWith("vacuumed tasks")), 5_000, "the vacuum logged");
        const after = (await readBloat(t.conn)).find((x) => x.name === "tasks");
        expect(after!.dead).toBeLessThan(VACUUM_MIN_DEAD);
      } finally {
        await worker.stop();
      }
    });
  });
}
