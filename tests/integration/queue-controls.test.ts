/**
 * Queue controls across the cluster, with real worker processes on both databases: a pause
 * stops every worker claiming from the queue within a second while other queues go on; a
 * max_running of 2 holds with three workers at concurrency 10; a rate of 20 a second spreads
 * 200 starts over ~10 s with no one-second window above 20; a per-key limit never runs two of
 * one key at once; a schedule's overlap policy skip never lets its tasks overlap and records
 * the skipped slots, cancel_previous cancels the one still running.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueMany } from "@/queue/enqueue";
import { setLimits, setPaused } from "@/queue/sql/queueControls";
import { registry } from "@/tasks";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

const NO_LIMITS = { maxRunning: null, rateLimit: null, ratePeriodMs: null, keyField: null, maxRunningPerKey: null };

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`queue controls on ${kind}`, () => {
    let t: TestDb;
    const workers: WorkerProcess[] = [];
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
      await t.drop();
    });

    const start = async (n: number, env: Record<string, string>) => {
      const started = await Promise.all(Array.from({ length: n }, () => startWorker(t.url, { QTASK_SCHEDULER_MS: "0", ...env })));
      workers.push(...started);
    };
    const enqueue = (queue: string, n: number, payload: (i: number) => Record<string, unknown>, type = "sleep") =>
      enqueueMany(
        t.conn,
        registry,
        Array.from({ length: n }, (_, i) => ({ type, queue, payload: payload(i) })),
      );
    const allDone = (queue: string, n: number, timeoutMs = 60_000) =>
      waitFor(
        async () => (await t.database.db.task.count({ where: { queue, status: "succeeded" } })) === n,
        timeoutMs,
        `${n} tasks of ${queue} succeeded`,
      );
    /** The runs of a queue's tasks: [start, end) in ms, with the task's payload. */
    const runsOf = async (queue: string) => {
      const rows = await t.database.db.run.findMany({ where: { task: { queue } }, include: { task: { select: { payload: true } } } });
      return rows.map((r) => ({
        start: r.startedAt.getTime(),
        end: (r.finishedAt ?? new Date(8.64e15)).getTime(),
        payload: JSON.parse(r.task.payload) as Record<string, unknown>,
      }));
    };
    /** Most intervals open at any one instant. */
    const mostAtOnce = (runs: { start: number; end: number }[]) => {
      const edges = runs.flatMap((r) => [
        [r.start, 1],
        [r.end, -1],
      ]);
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // an end before a start at the same instant
      let open = 0;
      let most = 0;
      for (const [, d] of edges) most = Math.max(most, (open += d));
      return most;
    };

    it("pause: no worker starts a task of the paused queue within a second; other queues go on; resume runs the rest", async () => {
      await start(2, { QTASK_QUEUES: "qa,qb", QTASK_CONCURRENCY: "4" });
      await enqueue("qa", 40, () => ({ ms: 200 }));
      await waitFor(async () => (await t.database.db.task.count({ where: { queue: "qa", status: "succeeded" } })) >= 4, 30_000, "some of qa done");
      expect(await setPaused(t.conn, "qa", true, "tester")).toBe(true);
      const pausedAt = Date.now();
      await enqueue("qb", 10, () => ({}), "noop");
      await allDone("qb", 10);
      await new Promise((r) => setTimeout(r, 2_000));
      const late = (await runsOf("qa")).filter((r) => r.start > pausedAt + 1_000);
      expect(late).toEqual([]);
      const queued = await t.database.db.task.count({ where: { queue: "qa", status: "queued" } });
      expect(queued).toBeGreaterThan(0);
      expect(await setPaused(t.conn, "qa", false, "tester")).toBe(true);
      await allDone("qa", 40);
    });

    it("max_running 2 with three workers at concurrency 10: never more than 2 running, all finish", async () => {
      await setLimits(t.conn, "qm", { ...NO_LIMITS, maxRunning: 2 });
      await start(3, { QTASK_QUEUES: "qm", QTASK_CONCURRENCY: "10" });
      await enqueue("qm", 30, () => ({ ms: 150 }));
      let most = 0;
      const sampler = setInterval(() => {
        void t.database.db.task.count({ where: { queue: "qm", status: "running" } }).then((n) => (most = Math.max(most, n)));
      }, 20);
      try {
        await allDone("qm", 30);
      } finally {
        clearInterval(sampler);
      }
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(2);
      expect(mostAtOnce(await runsOf("qm"))).toBeLessThanOrEqual(2);
    });

    it("rate 20 per second over 200 tasks: starts spread over ~10 s, never more than 20 in any one-second window", async () => {
      await setLimits(t.conn, "qr", { ...NO_LIMITS, rateLimit: 20, ratePeriodMs: 1_000 });
      await start(3, { QTASK_QUEUES: "qr", QTASK_CONCURRENCY: "10" });
      await enqueue("qr", 200, () => ({}), "noop");
      await allDone("qr", 200, 60_000);
      const starts = (await runsOf("qr")).map((r) => r.start).sort((a, b) => a - b);
      expect(starts.length).toBe(200);
      const span = starts[199] - starts[0];
      expect(span).toBeGreaterThanOrEqual(9_900); // 199 intervals of 50 ms
      expect(span).toBeLessThan(14_000);
      // Every window [s, s + 1 s) that starts at a start (the densest windows do).
      let most = 0;
      for (let i = 0, j = 0; i < starts.length; i++) {
        while (j < starts.length && starts[j] < starts[i] + 1_000) j++;
        most = Math.max(most, j - i);
      }
      expect(most).toBeLessThanOrEqual(20);
      expect(most).toBeGreaterThanOrEqual(18);
    });

    it("max_running_per_key 1: never two tasks with the same key running at once; keys run side by side", async () => {
      await setLimits(t.conn, "qk", { ...NO_LIMITS, keyField: "key", maxRunningPerKey: 1 });
      await start(3, { QTASK_QUEUES: "qk", QTASK_CONCURRENCY: "10" });
      await enqueue("qk", 30, (i) => ({ ms: 120, key: `fund-${i % 5}` }));
      await allDone("qk", 30);
      const runs = await runsOf("qk");
      for (let k = 0; k < 5; k++) expect(mostAtOnce(runs.filter((r) => r.payload.key === `fund-${k}`))).toBe(1);
      expect(mostAtOnce(runs)).toBeGreaterThan(1);
    });

    it("overlap skip: a 2-second schedule whose task takes 5 s never has two unfinished; the skipped slots are recorded", async () => {
      const first = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
      const s = await t.database.db.schedule.create({
        data: {
          name: "slow",
          taskType: "sleep",
          payload: JSON.stringify({ ms: 5_000 }),
          kind: "interval",
          intervalSeconds: 2,
          runAt: first,
          nextRunAt: first,
          timezone: "UTC",
          overlapPolicy: "skip",
        },
      });
      await start(1, { QTASK_SCHEDULER_MS: "200" });
      let most = 0;
      const sampler = setInterval(() => {
        void t.database.db.task
          .count({ where: { scheduleId: String(s.id), status: { in: ["queued", "running"] } } })
          .then((n) => (most = Math.max(most, n)));
      }, 50);
      try {
        await waitFor(
          async () => (await t.database.db.task.count({ where: { scheduleId: String(s.id), status: "succeeded" } })) >= 2,
          30_000,
          "two runs",
        );
      } finally {
        clearInterval(sampler);
      }
      expect(most).toBe(1);
      const fires = await t.database.db.scheduleFire.findMany({ where: { scheduleId: s.id }, orderBy: { slot: "asc" } });
      const skipped = fires.filter((f) => f.skipReason === "overlap");
      expect(skipped.length).toBeGreaterThanOrEqual(2);
      const tasks = await t.database.db.task.findMany({ where: { scheduleId: String(s.id) }, orderBy: { id: "asc" } });
      // Each skipped slot names the unfinished task it overlapped.
      for (const f of skipped) expect(tasks.map((x) => x.id)).toContain(f.taskId);
      expect(mostAtOnce(await runsOf("default"))).toBe(1);
    });

    it("overlap cancel_previous: the next slot cancels the task still running and starts its own", async () => {
      const first = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
      const s = await t.database.db.schedule.create({
        data: {
          name: "replace",
          taskType: "sleep",
          payload: JSON.stringify({ ms: 60_000 }),
          kind: "interval",
          intervalSeconds: 2,
          runAt: first,
          nextRunAt: first,
          timezone: "UTC",
          overlapPolicy: "cancel_previous",
        },
      });
      await start(1, { QTASK_SCHEDULER_MS: "200" });
      // The cancel and the new slot's task are two commits, in that order: wait for both.
      await waitFor(
        async () =>
          (await t.database.db.task.count({ where: { scheduleId: String(s.id), status: "cancelled" } })) >= 1 &&
          (await t.database.db.task.count({ where: { scheduleId: String(s.id) } })) >= 2,
        30_000,
        "a cancelled run and the next slot's task",
      );
      const tasks = await t.database.db.task.findMany({ where: { scheduleId: String(s.id) }, orderBy: { id: "asc" } });
      expect(tasks[0].status).toBe("cancelled");
      expect(tasks.length).toBeGreaterThanOrEqual(2);
    });
  });
}
