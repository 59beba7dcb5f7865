/**
 * The run list (执行历史) filtered by its task's type or schedule pages through the newest runs
 * first and the older ones by the type's tasks (findRunIds): every page must hold exactly the
 * runs one plain query would give, whether the window fills it, part of it, or none of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, sql } from "@/db/dialect";
import { dialect, execute, query } from "@/queue/sql/executor";
import { findRunIds, type RunFilter } from "@/queue/sql/reads";
import { freshDb, providers, type TestDb } from "./support/db";

/** The window of newest runs looked through first (RUN_WINDOW is 100,000, too many to page through here). */
const WINDOW = 2_000;
/** Tasks; every 500th is of a rare type, every 7th was enqueued by schedule 3. */
const TASKS = 6_000;
/** Every 40th task was retried: its second run comes after every first run. */
const RETRIED = 40;

interface Row {
  id: number;
  taskId: number;
  status: string;
  type: string;
  scheduleId: string | null;
  startedAt: number;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`the run list's task filters on ${kind}`, () => {
    let t: TestDb;
    let all: Row[];
    const base = Date.UTC(2026, 0, 1);
    beforeAll(async () => {
      t = await freshDb(kind);
      const d = dialect(t.conn);
      // A start time `ms` epoch milliseconds as each database stores it (SQLite: the number itself).
      const ts = (ms: string) => raw(kind === "postgres" ? `(to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC')` : `(${ms})`);
      const series = (n: number) =>
        kind === "postgres"
          ? { with: sql``, from: sql`generate_series(1, ${n}) AS s(v)` }
          : { with: sql`WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < ${n}) `, from: sql`s` };
      const s = series(TASKS);
      await execute(
        t.conn,
        sql`${s.with}INSERT INTO tasks (id, type, queue, status, run_at, created_at, schedule_id)
            SELECT v, CASE WHEN v % 500 = 0 THEN 'rare' ELSE 'common' END, 'default', 'succeeded', ${d.now}, ${d.now},
                   CASE WHEN v % 7 = 0 THEN '3' END
            FROM ${s.from}`,
      );
      // First runs: run id = task id; then second runs of every RETRIED-th task, newest ids.
      await execute(
        t.conn,
        sql`INSERT INTO runs (id, task_id, attempt, status, started_at)
            SELECT id, id, 1, CASE WHEN id % 3 = 0 THEN 'failed' ELSE 'succeeded' END, ${ts(`${base} + id * 1000`)} FROM tasks`,
      );
      await execute(
        t.conn,
        sql`INSERT INTO runs (id, task_id, attempt, status, started_at)
            SELECT ${TASKS} + id / ${RETRIED}, id, 2, 'succeeded', ${ts(`${base} + (${TASKS} + id) * 1000`)} FROM tasks WHERE id % ${RETRIED} = 0`,
      );
      if (kind === "postgres") await execute(t.conn, sql`SELECT setval('runs_id_seq', (SELECT MAX(id) FROM runs))`);
      await execute(t.conn, sql`ANALYZE`);
      const rows = await query<Record<string, unknown>>(
        t.conn,
        sql`SELECT r.id, r.task_id, r.status, t.type, t.schedule_id, r.started_at FROM runs r JOIN tasks t ON t.id = r.task_id ORDER BY r.id DESC`,
      );
      all = rows.map((r) => ({
        id: Number(r.id),
        taskId: Number(r.task_id),
        status: String(r.status),
        type: String(r.type),
        scheduleId: r.schedule_id === null ? null : String(r.schedule_id),
        startedAt: r.started_at instanceof Date ? r.started_at.getTime() : Number(r.started_at),
      }));
    });
    afterAll(async () => {
      await t.drop();
    });

    /** Every page of `f`, `size` at a time, following the cursor. */
    async function pages(f: RunFilter, size: number): Promise<number[][]> {
      const out: number[][] = [];
      let cursor: number | undefined;
      for (;;) {
        const ids = await findRunIds(t.conn, f, size + 1, cursor, WINDOW);
        out.push(ids.slice(0, size));
        if (ids.length <= size) return out;
        cursor = ids[size - 1];
      }
    }

    /** The same pages from every run, filtered here. */
    function expected(keep: (r: Row) => boolean, size: number): number[][] {
      const ids = all.filter(keep).map((r) => r.id);
      const out: number[][] = [];
      for (let i = 0; i < ids.length || out.length === 0; i += size) out.push(ids.slice(i, i + size));
      return out;
    }

    it("has runs on both sides of the window, retries among the newest", () => {
      expect(all.length).toBeGreaterThan(2 * WINDOW);
      // Retries of old tasks are among the newest runs, their first runs far below the window.
      const floor = all[0].id + 1 - WINDOW;
      expect(all.some((r) => r.id >= floor && r.taskId < floor)).toBe(true);
    });

    it.each([
      { name: "a common type", f: { type: "common" }, keep: (r: Row) => r.type === "common", size: 50 },
      { name: "a rare type", f: { type: "rare" }, keep: (r: Row) => r.type === "rare", size: 5 },
      { name: "a type with no runs", f: { type: "none" }, keep: () => false, size: 50 },
      { name: "a schedule", f: { scheduleId: "3" }, keep: (r: Row) => r.scheduleId === "3", size: 200 },
      {
        name: "a rare type and a status",
        f: { type: "rare", status: "failed" },
        keep: (r: Row) => r.type === "rare" && r.status === "failed",
        size: 3,
      },
      {
        name: "a type in a time range",
        f: { type: "common", from: new Date(base + 1_000_000), to: new Date(base + 2_000_000) },
        keep: (r: Row) => r.type === "common" && r.startedAt >= base + 1_000_000 && r.startedAt < base + 2_000_000,
        size: 100,
      },
      { name: "no task filter", f: { status: "failed" }, keep: (r: Row) => r.status === "failed", size: 500 },
    ])("pages through $name exactly", async ({ f, keep, size }) => {
      expect(await pages(f as RunFilter, size)).toEqual(expected(keep, size));
    });
  });
}
