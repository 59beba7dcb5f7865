/**
 * Schedules fire through real worker processes: with three workers running, every slot of a
 * schedule enqueues exactly one task (one leader holds the scheduler lease; the per-slot unique
 * key guards against overlap), and when the leader dies another worker takes over.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`scheduler on ${kind}`, () => {
    let t: TestDb;
    const workers: WorkerProcess[] = [];
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
      await t.drop();
    });

    it("three workers: each slot of a 1-second schedule enqueues exactly one task; a new leader takes over", async () => {
      const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
      const s = await t.database.db.schedule.create({
        data: { name: "every second", taskType: "noop", kind: "interval", intervalSeconds: 1, runAt: start, nextRunAt: start, timezone: "UTC" },
      });
      for (let i = 0; i < 3; i++) workers.push(await startWorker(t.url, { QTASK_SCHEDULER_MS: "200" }));
      await waitFor(async () => (await t.database.db.scheduleFire.count()) >= 4, 30_000, "four fired slots");
      // Kill the leader: another worker takes the lease after it expires and firing goes on.
      const leaderIdx = workers.findIndex((w) => w.output().includes("became the scheduler leader"));
      expect(leaderIdx).toBeGreaterThanOrEqual(0);
      const before = await t.database.db.scheduleFire.count();
      await workers[leaderIdx].stop("SIGKILL");
      await waitFor(async () => (await t.database.db.scheduleFire.count()) >= before + 3, 30_000, "firing resumed under a new leader");
      // A graceful stop waits for claims and scheduler ticks in flight before closing the
      // database (closing under them used to hang the exit under load).
      const codes = await Promise.all(workers.map((w) => w.stop("SIGTERM")));
      expect(codes.filter((c) => c !== "SIGKILL")).toEqual([0, 0]);

      const fires = await t.database.db.scheduleFire.findMany({ where: { scheduleId: s.id }, orderBy: { slot: "asc" } });
      const tasks = await t.database.db.task.findMany({ where: { scheduleId: String(s.id) } });
      // One task per fired slot, never two.
      expect(tasks).toHaveLength(fires.length);
      expect(new Set(fires.map((f) => f.taskId)).size).toBe(fires.length);
      expect(fires.every((f) => f.taskId > 0)).toBe(true);
      // Slots are whole seconds from the anchor; while a leader lives none is skipped.
      for (const f of fires) expect((f.slot.getTime() - start.getTime()) % 1000).toBe(0);
      const firstRun = fires.slice(0, 4).map((f) => f.slot.getTime() - start.getTime());
      expect(firstRun).toEqual([0, 1000, 2000, 3000]);
      const leaders = workers.filter((w) => w.output().includes("became the scheduler leader")).length;
      expect(leaders).toBeGreaterThanOrEqual(2);
    });

    it("supervised: keeps one task alive, restarts it with a doubling delay after failures, stops when disabled", async () => {
      const crashing = await t.database.db.schedule.create({
        data: {
          name: "crashing",
          taskType: "flaky",
          payload: JSON.stringify({ fail_times: 100 }),
          maxAttempts: 1,
          kind: "supervised",
          timezone: "UTC",
          nextRunAt: new Date(),
        },
      });
      const steady = await t.database.db.schedule.create({
        data: {
          name: "steady",
          taskType: "sleep",
          payload: JSON.stringify({ ms: 60_000 }),
          kind: "supervised",
          timezone: "UTC",
          nextRunAt: new Date(),
        },
      });
      workers.push(await startWorker(t.url, { QTASK_SCHEDULER_MS: "200" }));
      const tasksOf = (id: number) => t.database.db.task.findMany({ where: { scheduleId: String(id) }, orderBy: { id: "asc" } });
      await waitFor(async () => (await tasksOf(crashing.id)).length >= 4, 30_000, "four restarts");
      const runs = await tasksOf(crashing.id);
      // The fourth may still be running; the first three have failed.
      expect(runs.slice(0, 3).map((r) => r.status)).toEqual(["failed", "failed", "failed"]);
      // Delays double: 1 s, 2 s, 4 s between a failure and the next start (with tick slack).
      const gaps = runs.slice(1, 4).map((r, i) => r.createdAt.getTime() - (runs[i].finishedAt as Date).getTime());
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      expect(gaps[1]).toBeGreaterThanOrEqual(1900);
      expect(gaps[2]).toBeGreaterThanOrEqual(3900);
      // The steady one runs once and is not restarted while it lives.
      const live = await tasksOf(steady.id);
      expect(live).toHaveLength(1);
      expect(live[0].status).toBe("running");
      // Stopped: no restarts any more.
      await t.database.db.schedule.update({ where: { id: crashing.id }, data: { enabled: false } });
      const count = (await tasksOf(crashing.id)).length;
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await tasksOf(crashing.id)).length).toBeLessThanOrEqual(count + 1);
      expect(await tasksOf(steady.id)).toHaveLength(1);
    });
  });
}
