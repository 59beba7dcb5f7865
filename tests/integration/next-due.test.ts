/**
 * msUntilNextDue, which an idle worker sleeps by: 0 while a task is due, the time to the
 * earliest run_at when every queued task is delayed, null when none is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@/db/dialect";
import { dialect, execute, query } from "@/queue/sql/executor";
import { claimTasks, msUntilNextDue } from "@/queue/sql/claim";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`the next due task on ${kind}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDb(kind);
    });
    afterAll(async () => {
      await t.drop();
    });

    it("is null with nothing queued, the delay when all are delayed, 0 when one is due", async () => {
      expect(await msUntilNextDue(t.conn, ["default", "crawl"])).toBeNull();
      const later = new Date(Date.now() + 60_000);
      await execute(
        t.conn,
        sql`INSERT INTO tasks (type, queue, run_at) VALUES ('noop', 'crawl', ${later}), ('noop', 'crawl', ${new Date(later.getTime() + 1000)})`,
      );
      const ms = (await msUntilNextDue(t.conn, ["default", "crawl"])) as number;
      expect(ms).toBeGreaterThan(55_000);
      expect(ms).toBeLessThanOrEqual(60_000);
      // A task due now in another of the worker's queues; a delayed one of higher priority first in crawl.
      await execute(t.conn, sql`INSERT INTO tasks (type, queue, priority, run_at) VALUES ('noop', 'default', 100, ${new Date(Date.now() - 1000)})`);
      expect(await msUntilNextDue(t.conn, ["default", "crawl"])).toBe(0);
      expect(await msUntilNextDue(t.conn, ["crawl"])).toBeGreaterThan(55_000);
    });

    // PostgreSQL rounded the clock to the columns' milliseconds, up as often as down: a new
    // task's run_at lay up to half a millisecond ahead of the clock, and a claim that came
    // within it missed the task (an idle worker then slept 10 ms more). Stored as a column
    // stores it, the clock the engine writes must never be ahead of the clock itself.
    it("writes times that are never ahead of the clock once stored (a task enqueued now is due now)", async () => {
      const d = dialect(t.conn);
      const stored = kind === "postgres" ? sql`CAST(${d.now} AS timestamp(3))` : d.now;
      const clock = kind === "postgres" ? sql`(clock_timestamp() AT TIME ZONE 'UTC')` : sql`(unixepoch('subsec') * 1000)`;
      const [row] = await query<{ ahead: unknown }>(
        t.conn,
        sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT COUNT(*) AS ahead FROM n WHERE ${stored} > ${clock}`,
      );
      expect(Number(row.ahead)).toBe(0);
      const { id } = await enqueue(t.conn, registry, { type: "noop", queue: "fresh" });
      expect(await msUntilNextDue(t.conn, ["fresh"])).toBe(0);
      expect((await claimTasks(t.conn, { workerId: "w", slots: { fresh: 1 }, limit: 1, leaseMs: 60_000 })).map((c) => c.id)).toEqual([id]);
    });
  });
}
