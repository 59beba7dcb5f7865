/**
 * msUntilNextDue, which an idle worker sleeps by: 0 while a task is due, the time to the
 * earliest run_at when every queued task is delayed, null when none is queued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@/db/dialect";
import { execute } from "@/queue/sql/executor";
import { msUntilNextDue } from "@/queue/sql/claim";
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
  });
}
