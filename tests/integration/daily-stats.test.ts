/**
 * The daily roll-up on both databases: runs counted on the day they finished (in
 * QTASK_TIMEZONE), p50/p95 of duration and wait equal to the hand computation of the stated
 * convention (nearest rank, reported as the upper edge of a 2^(1/16) bucket), and the history
 * surviving retention: tasks deleted (by retention, one by one or in bulk) before or after
 * their day was rolled up leave the figures as they were. Through the trends API as well.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as trendsRoute from "@/app/api/tasks/trends/route";
import { deleteTask, deleteTasks } from "@/queue/sql/control";
import { readDailyStats, rollUpDailyStats } from "@/queue/sql/dailyStats";
import { deleteFinishedBefore } from "@/queue/sql/reads";
import { dayClock } from "@/schedule/dayClock";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

const clock = dayClock("Asia/Shanghai");
const H = 3_600_000;

interface Made {
  type: string;
  queue?: string;
  status: "succeeded" | "failed" | "cancelled" | "timed_out";
  /** Hours after the start of its day (Shanghai) that it finished. */
  day: string;
  hour: number;
  durationMs: number;
  waitMs: number;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`daily roll-up on ${kind}`, () => {
    let t: TestDb;
    let viewer = "";
    const today = clock.dayOf(Date.now());
    const dayBefore = (d: string, n: number) => {
      let x = d;
      for (let i = 0; i < n; i++) x = clock.dayOf(clock.startOf(x) - 1);
      return x;
    };
    const d2 = dayBefore(today, 2);
    const d1 = dayBefore(today, 1);

    /** A finished task with one run, stamped as given. */
    async function made(m: Made): Promise<number> {
      const finishedAt = new Date(Math.min(clock.startOf(m.day) + m.hour * H, Date.now() - 1_000));
      const startedAt = new Date(finishedAt.getTime() - m.durationMs);
      const dueAt = new Date(startedAt.getTime() - m.waitMs);
      const task = await t.database.db.task.create({
        data: {
          type: m.type,
          queue: m.queue ?? "default",
          payload: "{}",
          status: m.status === "timed_out" ? "failed" : m.status,
          runAt: dueAt,
          createdAt: dueAt,
          startedAt,
          finishedAt,
          attempts: 1,
        },
      });
      const run = await t.database.db.run.create({
        data: { taskId: task.id, attempt: 1, workerId: "w", status: m.status, startedAt, finishedAt, durationMs: m.durationMs },
      });
      await t.database.db.task.update({ where: { id: task.id }, data: { runId: run.id } });
      return task.id;
    }
    const trends = async (query: string) => {
      const res = await callRoute(trendsRoute.GET, `/api/tasks/trends?${query}`, { auth: viewer });
      expect(res.status).toBe(200);
      return (await res.json()) as { items: ({ day: string } & Record<string, number | null>)[]; totals: Record<string, number | null> };
    };
    const dayOf = (body: Awaited<ReturnType<typeof trends>>, day: string) => body.items.find((i) => i.day === day)!;

    let ids: number[] = [];
    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      viewer = (await signedInUser(t.database.db, "vic", "viewer")).session;
      ids = [];
      // Two days ago: five succeeded backtests (100, 200, 300, 400, 1000 ms; waits 50 ms … 5 s)
      // and one that failed; a noop on another queue.
      for (const [i, ms] of [100, 200, 300, 400, 1000].entries())
        ids.push(
          await made({
            type: "backtest",
            queue: "compute",
            status: "succeeded",
            day: d2,
            hour: 10 + i,
            durationMs: ms,
            waitMs: [50, 50, 300, 1000, 5000][i],
          }),
        );
      ids.push(await made({ type: "backtest", queue: "compute", status: "failed", day: d2, hour: 15, durationMs: 7, waitMs: 2 }));
      ids.push(await made({ type: "noop", status: "succeeded", day: d2, hour: 9, durationMs: 2, waitMs: 0 }));
      // Yesterday: one timed-out backtest. Today (an hour ago at most): two cancelled noops.
      ids.push(await made({ type: "backtest", queue: "compute", status: "timed_out", day: d1, hour: 23.5, durationMs: 60_000, waitMs: 3 }));
      ids.push(await made({ type: "noop", status: "cancelled", day: today, hour: 0, durationMs: 5, waitMs: 1 }));
      ids.push(await made({ type: "noop", status: "cancelled", day: today, hour: 0, durationMs: 5, waitMs: 1 }));
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    it("counts each run on the day it finished, with percentiles by the stated convention", async () => {
      const r = await rollUpDailyStats(t.conn, clock);
      expect(r.retry).toBe(false);
      expect(r.runs).toBe(10);
      const body = await trends("days=7&type=backtest");
      expect(body.items).toHaveLength(7);
      expect(body.items.at(-1)!.day).toBe(today);
      // Durations (succeeded only) 100, 200, 300, 400, 1000: p50 is the 3rd, 300 ms, in bucket
      // ⌈16·log2 300⌉ = 132, upper edge 2^(132/16) = 304.4 → 304; p95 the 5th, 1000 ms → bucket
      // 160 → 1024. Waits 2, 50, 50, 300, 1000, 5000: p50 rank 3 = 50 ms → bucket 91 → 51.5 →
      // 52; p95 rank 6 = 5000 → bucket 197 → 5086.7 → 5087.
      expect(dayOf(body, d2)).toEqual({
        day: d2,
        runs: 6,
        succeeded: 5,
        failed: 1,
        cancelled: 0,
        requeued: 0,
        duration_p50_ms: 304,
        duration_p95_ms: 1024,
        wait_p50_ms: 52,
        wait_p95_ms: 5087,
      });
      // A timed-out run counts as failed; no succeeded run, so no duration.
      expect(dayOf(body, d1)).toMatchObject({ runs: 1, failed: 1, duration_p50_ms: null, wait_p50_ms: 3 });
      expect(body.totals).toMatchObject({ runs: 7, succeeded: 5, failed: 2 });
      // Per queue and the fleet: the same rows merged another way.
      expect(dayOf(await trends("days=7&queue=default"), d2)).toMatchObject({ runs: 1, succeeded: 1, duration_p50_ms: 2, wait_p50_ms: 1 });
      const fleet = await trends("days=30");
      expect(fleet.items).toHaveLength(30);
      expect(dayOf(fleet, today)).toMatchObject({ runs: 2, cancelled: 2 });
      expect(fleet.totals).toMatchObject({ runs: 10, succeeded: 6, failed: 2, cancelled: 2 });
    });

    it("keeps the history when retention, a delete or a bulk delete removes the tasks, before or after the roll-up", async () => {
      const before = await readDailyStats(t.conn, d2, today);
      // Today's tasks go before today is final: their runs are kept for the roll-up.
      await deleteTask(t.conn, ids[ids.length - 1]);
      await deleteTasks(t.conn, [ids[ids.length - 2]]);
      // Everything else by retention (finished before now).
      const gone = await deleteFinishedBefore(t.conn, new Date());
      expect(gone.tasks).toBe(8);
      expect(await t.database.db.run.count()).toBe(0);
      // Rolled up again from no runs at all: every figure as before.
      expect((await rollUpDailyStats(t.conn, clock)).retry).toBe(false);
      expect(await readDailyStats(t.conn, d2, today)).toEqual(before);
      const fleet = await trends("days=7");
      expect(fleet.totals).toMatchObject({ runs: 10, succeeded: 6, failed: 2, cancelled: 2 });
      expect(dayOf(fleet, today)).toMatchObject({ runs: 2, cancelled: 2 });
    });

    it("a task deleted after today's roll-up stays counted once", async () => {
      const id = await made({ type: "noop", status: "succeeded", day: today, hour: 0, durationMs: 3, waitMs: 0 });
      await rollUpDailyStats(t.conn, clock);
      const todayRow = async () => (await readDailyStats(t.conn, today, today)).find((r) => r.type === "noop")!;
      expect((await todayRow()).runs).toBe(3);
      await deleteTask(t.conn, id);
      expect((await rollUpDailyStats(t.conn, clock)).retry).toBe(false);
      expect((await todayRow()).runs).toBe(3);
    });

    it("a round that read runs deleted before it wrote writes nothing and says so; the next one is right", async () => {
      const id = await made({ type: "noop", status: "succeeded", day: today, hour: 0, durationMs: 3, waitMs: 0 });
      const noopToday = async () => (await readDailyStats(t.conn, today, today)).find((r) => r.type === "noop")!.runs;
      const raced = await rollUpDailyStats(t.conn, clock, { beforeWrite: () => deleteTask(t.conn, id) });
      expect(raced.retry).toBe(true);
      expect(await noopToday()).toBe(3);
      expect((await rollUpDailyStats(t.conn, clock)).retry).toBe(false);
      expect(await noopToday()).toBe(4);
    });

    it("refuses a range or filter it does not offer", async () => {
      for (const q of ["days=14", "queue=Bad Queue", "nope=1"]) {
        const res = await callRoute(trendsRoute.GET, `/api/tasks/trends?${q}`, { auth: viewer });
        expect(res.status, q).toBe(400);
      }
    });
  });
}
