/**
 * Real worker processes against real databases: several workers draining one queue,
 * kill -9 and rescue, timeouts, cancelling a running compute task, retry then success,
 * SIGTERM draining, and abandoning a handler that ignores its AbortSignal.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import { cancelTask } from "@/queue/sql/control";
import { registry } from "@/tasks";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";
import { runLogMessages } from "./support/logs";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`worker processes on ${kind}`, () => {
    let t: TestDb;
    const workers: WorkerProcess[] = [];
    const spawnWorker = async (env: Record<string, string> = {}) => {
      const w = await startWorker(t.url, env);
      workers.push(w);
      return w;
    };
    const status = async (id: number) => (await t.database.db.task.findUniqueOrThrow({ where: { id } })).status;
    const runsOf = (id: number) => t.database.db.run.findMany({ where: { taskId: id }, orderBy: { id: "asc" } });

    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
      await t.drop();
    });

    it("three workers drain 2,000 tasks: each runs exactly once, never twice at the same time", async () => {
      // Every tenth task sleeps 150 ms: 200 of them take one worker at least 1.5 s, so the others
      // get a share. With only no-ops (or 40 ms sleeps, once claims got faster), two workers
      // can drain them all while the third's claims wait out SQLite's busy back-off (up to 100 ms
      // a try), which is not fair between processes.
      const inputs = Array.from({ length: 2_000 }, (_, i) => (i % 10 === 0 ? { type: "sleep", payload: { ms: 150 } } : { type: "noop" }));
      // A production-like lease: with the tests' 3 s lease, SQLite write contention on a
      // starved 2-core machine can stall a worker past its lease, and a rescued task then runs
      // twice — correct at-least-once behaviour, but not what this test is about.
      await Promise.all([0, 1, 2].map(() => spawnWorker({ QTASK_CONCURRENCY: "20", QTASK_LEASE_MS: "20000", QTASK_HEARTBEAT_MS: "1000" })));
      // Enqueued once all three are up: two workers drain 2,000 tasks in about a second, before
      // a third that is slower to start would get any.
      const { ids } = await enqueueMany(t.conn, registry, inputs);
      await waitFor(async () => (await t.database.db.task.count({ where: { status: "succeeded" } })) === 2_000, 90_000, "all tasks succeeded");
      const runs = await t.database.db.run.findMany({ select: { taskId: true, status: true, workerId: true } });
      expect(runs).toHaveLength(2_000);
      expect(new Set(runs.map((r) => r.taskId)).size).toBe(2_000);
      expect(runs.every((r) => r.status === "succeeded")).toBe(true);
      expect(new Set(ids)).toEqual(new Set(runs.map((r) => r.taskId)));
      // The work was actually shared.
      expect(new Set(runs.map((r) => r.workerId)).size).toBe(3);
    });

    it("rescues the task of a worker killed with kill -9, and another worker finishes it", async () => {
      const doomed = await spawnWorker();
      const { id } = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 2_500 }, maxAttempts: 3 });
      await waitFor(async () => (await status(id)) === "running", 15_000, "task running");
      await doomed.stop("SIGKILL");
      const started = Date.now();
      await spawnWorker();
      await waitFor(async () => (await status(id)) === "succeeded", 30_000, "task succeeded after rescue");
      const runs = await runsOf(id);
      expect(runs.map((r) => r.status)).toEqual(["lost", "succeeded"]);
      expect(runs[0].error).toMatch(/lease expired/);
      // Bounded: lease (3 s) + rescue interval + the 2.5 s sleep, with room for a slow machine.
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it("stops a task at its timeout and retries it while attempts are left", async () => {
      await spawnWorker({ QTASK_BACKOFF_BASE_MS: "50", QTASK_BACKOFF_MAX_MS: "100" });
      const { id } = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 20_000 }, timeoutMs: 400, maxAttempts: 2 });
      await waitFor(async () => (await status(id)) === "failed", 20_000, "task failed");
      const runs = await runsOf(id);
      expect(runs.map((r) => r.status)).toEqual(["timed_out", "timed_out"]);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id } })).error).toMatch(/timed out after 400 ms/);
    });

    it("cancels a running compute task by terminating its thread, and keeps serving others", async () => {
      await spawnWorker({ JOB_NUM: "1" });
      const { id } = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 0, forever: true } });
      await waitFor(async () => (await status(id)) === "running", 15_000, "busy running");
      await new Promise((r) => setTimeout(r, 300));
      expect(await cancelTask(t.conn, id)).toBe("cancel_requested");
      await waitFor(async () => (await status(id)) === "cancelled", 10_000, "busy cancelled");
      expect((await runsOf(id)).map((r) => r.status)).toEqual(["cancelled"]);
      // The one compute thread is free again, and the event loop never stopped.
      const next = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 50 } });
      const quick = await enqueue(t.conn, registry, { type: "noop" });
      await waitFor(async () => (await status(next.id)) === "succeeded" && (await status(quick.id)) === "succeeded", 15_000, "later tasks done");
    });

    it("a worker with every slot taken still hears cancels, and wakes at once for new work when idle again", async () => {
      // Heartbeats and polls far apart: a cancel or a new task can reach the worker only by its
      // wake-ups, or — while every slot is taken and wake-ups are paused — its cancel checks.
      await spawnWorker({
        QTASK_QUEUES: "default",
        QTASK_CONCURRENCY: "2",
        QTASK_LEASE_MS: "60000",
        QTASK_HEARTBEAT_MS: "20000",
        QTASK_POLL_MS: "20000",
      });
      const a = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 60_000 } });
      const b = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 60_000 } });
      await waitFor(async () => (await status(a.id)) === "running" && (await status(b.id)) === "running", 15_000, "both running");
      for (const { id } of [a, b]) {
        expect(await cancelTask(t.conn, id)).toBe("cancel_requested");
        await waitFor(async () => (await status(id)) === "cancelled", 5_000, `task ${id} cancelled`);
      }
      // Idle again: a new task starts well before the next poll.
      const enqueuedAt = Date.now();
      const next = await enqueue(t.conn, registry, { type: "noop" });
      await waitFor(async () => (await status(next.id)) === "succeeded", 5_000, "the new task done");
      expect(Date.now() - enqueuedAt).toBeLessThan(5_000);
    });

    // Claiming ahead (src/worker/worker.ts, prefetchFor): a worker may claim more tasks than it
    // has free slots when its queue's tasks are short; the extra ones wait in the worker.
    const noops = (n: number, priority = 500) => Array.from({ length: n }, () => ({ type: "noop", priority, maxAttempts: 3 }));
    const allSucceeded = (ids: number[]) =>
      waitFor(
        async () => (await t.database.db.task.count({ where: { id: { in: ids }, status: "succeeded" } })) === ids.length,
        30_000,
        "all succeeded",
      );
    const tasksPerClaim = async (ids: number[]) => {
      const perClaim = new Map<number, number>();
      for (const { startedAt } of await t.database.db.task.findMany({ where: { id: { in: ids } }, select: { startedAt: true } }))
        perClaim.set(startedAt!.getTime(), (perClaim.get(startedAt!.getTime()) ?? 0) + 1);
      return [...perClaim.values()];
    };
    const logOf = (runId: number) => runLogMessages(t.conn, runId);

    it("claims ahead of its free slots while tasks are short, never while they are long", async () => {
      await spawnWorker({ QTASK_QUEUES: "default", QTASK_CONCURRENCY: "2" });
      // Long tasks: once the first has shown the pace, nothing is claimed beyond the 2 slots.
      // (A claim stamps all its tasks with one started_at; the database's running count is no
      // measure, as a slot is free for the next claim before the last close is committed.)
      const long = await enqueueMany(
        t.conn,
        registry,
        Array.from({ length: 6 }, () => ({ type: "sleep", payload: { ms: 300 } })),
      );
      await allSucceeded(long.ids);
      expect(Math.max(...(await tasksPerClaim(long.ids)))).toBeLessThanOrEqual(2);
      // Short tasks: claims of many at a time (a claim stamps all its tasks with one started_at).
      const short = await enqueueMany(t.conn, registry, noops(600));
      await allSucceeded(short.ids);
      expect(Math.max(...(await tasksPerClaim(short.ids)))).toBeGreaterThanOrEqual(20);
    });

    it("ends a waiting task that is cancelled without running it, and hands waiting tasks back on SIGTERM", async () => {
      const w = await spawnWorker({ QTASK_QUEUES: "default", QTASK_CONCURRENCY: "1", QTASK_PREFETCH_MS: "1000", QTASK_GRACE_MS: "5000" });
      await allSucceeded((await enqueueMany(t.conn, registry, noops(20))).ids); // the queue's pace: short
      // One claim takes all six; the long one runs first (priority), the short ones wait for its slot.
      const { ids } = await enqueueMany(t.conn, registry, [{ type: "sleep", payload: { ms: 1_800 }, priority: 900 }, ...noops(5, 100)]);
      const [long, cancelled, ...back] = ids;
      await waitFor(async () => (await t.database.db.task.count({ where: { id: { in: ids }, status: "running" } })) === 6, 15_000, "all six claimed");
      expect(await cancelTask(t.conn, cancelled)).toBe("cancel_requested");
      await waitFor(async () => (await status(cancelled)) === "cancelled", 5_000, "the waiting task cancelled");
      expect(await w.stop("SIGTERM")).toBe(0);
      expect(await status(long)).toBe("succeeded");
      const [cancelledRun] = await runsOf(cancelled);
      expect(cancelledRun.status).toBe("cancelled");
      expect((await logOf(cancelledRun.id)).some((m) => /started/.test(m))).toBe(false);
      for (const id of back) {
        const task = await t.database.db.task.findUniqueOrThrow({ where: { id } });
        expect(task.status).toBe("queued");
        expect(task.maxAttempts - task.attempts).toBe(3); // handing back uses up no attempt
        const runs = await runsOf(id);
        expect(runs.map((r) => r.status)).toEqual(["requeued"]);
        expect(await logOf(runs[0].id)).toEqual([expect.stringMatching(/worker shut down before the task started/)]);
      }
    });

    it("hands back tasks that waited too long when the queue turned slow, and runs them later", async () => {
      await spawnWorker({ QTASK_QUEUES: "default", QTASK_CONCURRENCY: "1", QTASK_PREFETCH_MS: "1000" });
      await allSucceeded((await enqueueMany(t.conn, registry, noops(20))).ids);
      const { ids } = await enqueueMany(t.conn, registry, [{ type: "sleep", payload: { ms: 3_500 }, priority: 900 }, ...noops(3, 100)]);
      await allSucceeded(ids);
      for (const id of ids.slice(1)) {
        const runs = await runsOf(id);
        expect(runs.map((r) => r.status)).toEqual(["requeued", "succeeded"]);
        expect(runs[0].error).toMatch(/waited over 2000 ms for a free slot/);
        expect((await logOf(runs[0].id)).some((m) => /started/.test(m))).toBe(false);
        expect(runs[1].startedAt.getTime()).toBeGreaterThanOrEqual(runs[0].finishedAt!.getTime());
        // The handed-back run used up no attempt: one is used, by the run that succeeded.
        const task = await t.database.db.task.findUniqueOrThrow({ where: { id } });
        expect(task.maxAttempts - task.attempts).toBe(2);
      }
    });

    it("retries a failing task with backoff until it succeeds", async () => {
      await spawnWorker({ QTASK_BACKOFF_BASE_MS: "100", QTASK_BACKOFF_MAX_MS: "400" });
      const { id } = await enqueue(t.conn, registry, { type: "flaky", payload: { fail_times: 2 } });
      await waitFor(async () => (await status(id)) === "succeeded", 20_000, "flaky succeeded");
      const runs = await runsOf(id);
      expect(runs.map((r) => [r.attempt, r.status])).toEqual([
        [1, "failed"],
        [2, "failed"],
        [3, "succeeded"],
      ]);
      expect(runs[0].error).toMatch(/flaky: attempt 1/);
      // Backoff: the next attempt did not start before the first delay (≥ base/2).
      expect(runs[1].startedAt.getTime() - (runs[0].finishedAt as Date).getTime()).toBeGreaterThanOrEqual(40);
      const logs = await t.database.db.runLog.findMany({ where: { runId: runs[0].id }, orderBy: { seq: "asc" } });
      expect(logs.map((l) => l.level)).toContain("error");
    });

    it("drains on SIGTERM: finishes what fits in the grace period and hands the rest back", async () => {
      const w = await spawnWorker({ QTASK_GRACE_MS: "1500" });
      const short = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 500 } });
      const long = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 30_000 } });
      await waitFor(async () => (await status(short.id)) === "running" && (await status(long.id)) === "running", 15_000, "both running");
      expect(await w.stop("SIGTERM")).toBe(0);
      expect(await status(short.id)).toBe("succeeded");
      const back = await t.database.db.task.findUniqueOrThrow({ where: { id: long.id } });
      expect(back.status).toBe("queued");
      expect(back.maxAttempts - back.attempts).toBe(3); // a shutdown does not use up an attempt
      expect((await runsOf(long.id)).map((r) => r.status)).toEqual(["requeued"]);
      const worker = await t.database.db.worker.findFirstOrThrow();
      expect(worker.stoppedAt).not.toBeNull();
      expect(await t.database.db.task.count({ where: { status: "running" } })).toBe(0);
    });

    it("abandons a handler that ignores its AbortSignal and refuses its later writes", async () => {
      await spawnWorker({ QTASK_ABANDON_MS: "300" });
      const { id } = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 2_000, rows: 5, ignore_abort: true } });
      await waitFor(async () => (await status(id)) === "running", 15_000, "running");
      await cancelTask(t.conn, id);
      await waitFor(async () => (await status(id)) === "cancelled", 5_000, "closed as cancelled before the handler returned");
      const run = (await runsOf(id))[0];
      expect(run.status).toBe("cancelled");
      // The handler goes on, wakes after 2 s and tries to write result rows: refused.
      await new Promise((r) => setTimeout(r, 2_500));
      expect(await t.database.db.resultRow.count({ where: { taskId: id } })).toBe(0);
      const messages = (await t.database.db.runLog.findMany({ where: { runId: run.id } })).map((l) => l.message);
      expect(messages.some((m) => /abandoned/.test(m))).toBe(true);
      expect(messages).not.toContain("done");
    });

    it("retention_cleanup deletes finished tasks with their runs, logs and result rows, and nothing unfinished", async () => {
      await spawnWorker();
      const { ids } = await enqueueMany(t.conn, registry, [{ type: "sleep", payload: { ms: 10, rows: 3 } }, { type: "noop" }]);
      await waitFor(async () => (await t.database.db.task.count({ where: { id: { in: ids }, status: "succeeded" } })) === 2, 15_000, "finished");
      const waiting = await enqueue(t.conn, registry, { type: "noop", delayMs: 600_000 });
      const { id } = await enqueue(t.conn, registry, { type: "retention_cleanup", payload: { older_than_days: 0 } });
      await waitFor(async () => (await status(id)) === "succeeded", 15_000, "cleanup done");
      const result = JSON.parse((await t.database.db.task.findUniqueOrThrow({ where: { id } })).result as string);
      expect(result).toMatchObject({ older_than_days: 0, tasks: 2, runs: 2, result_rows: 3 });
      // Stored lines only: the sleep handler's own (every run's "started" and "succeeded" are rendered, never stored).
      expect(result.log_lines).toBeGreaterThanOrEqual(1);
      expect(await t.database.db.runLog.count({ where: { NOT: { run: { taskId: id } } } })).toBe(0);
      expect(await t.database.db.task.count({ where: { id: { in: ids } } })).toBe(0);
      expect(await t.database.db.resultRow.count()).toBe(0);
      expect(await status(waiting.id)).toBe("queued");
    });

    it("groups: a sequence stops at the first failure; a parallel group completes when all children finish; cancel reaches the children", async () => {
      await spawnWorker({ QTASK_BACKOFF_BASE_MS: "50", QTASK_BACKOFF_MAX_MS: "100" });
      const children = (parentId: number) => t.database.db.task.findMany({ where: { parentId }, orderBy: { id: "asc" } });

      const seq = await enqueue(t.conn, registry, {
        type: "group",
        payload: { mode: "sequence", tasks: [{ type: "noop" }, { type: "flaky", payload: { fail_times: 5 }, max_attempts: 1 }, { type: "noop" }] },
      });
      await waitFor(async () => (await status(seq.id)) === "failed", 20_000, "sequence failed");
      const seqKids = await children(seq.id);
      expect(seqKids.map((k) => [k.type, k.status])).toEqual([
        ["noop", "succeeded"],
        ["flaky", "failed"],
      ]);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: seq.id } })).error).toMatch(
        /step 2\/3 .*flaky.* failed; the rest of the chain was not started/,
      );

      const par = await enqueue(t.conn, registry, {
        type: "group",
        payload: { mode: "parallel", tasks: [{ type: "sleep", payload: { ms: 300 } }, { type: "sleep", payload: { ms: 300 } }, { type: "noop" }] },
      });
      await waitFor(async () => (await status(par.id)) === "succeeded", 20_000, "parallel succeeded");
      const parKids = await children(par.id);
      expect(parKids.map((k) => k.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
      const parent = await t.database.db.task.findUniqueOrThrow({ where: { id: par.id } });
      // The parent finished after its last child.
      expect(parent.finishedAt!.getTime()).toBeGreaterThanOrEqual(Math.max(...parKids.map((k) => k.finishedAt!.getTime())));

      const long = await enqueue(t.conn, registry, {
        type: "group",
        payload: {
          mode: "parallel",
          tasks: [
            { type: "sleep", payload: { ms: 30_000 } },
            { type: "sleep", payload: { ms: 30_000 } },
          ],
        },
      });
      await waitFor(async () => (await children(long.id)).filter((k) => k.status === "running").length === 2, 15_000, "children running");
      await cancelTask(t.conn, long.id);
      await waitFor(async () => (await status(long.id)) === "cancelled", 15_000, "group cancelled");
      await waitFor(async () => (await children(long.id)).every((k) => k.status === "cancelled"), 15_000, "children cancelled");
    });
  });
}
