/**
 * The engine against real databases, in-process: ordering, delays, idempotency, batch
 * atomicity, caller transactions, fencing, rescue, cancel and retry. Runs on SQLite and on
 * PostgreSQL (skipped, and reported as skipped, when PostgreSQL is not configured).
 */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueue, enqueueMany, InvalidTaskError } from "@/queue/enqueue";
import { claimTasks } from "@/queue/sql/claim";
import { closeRun } from "@/queue/sql/complete";
import { cancelTask, deleteTask, retryTask, TaskNotFoundError } from "@/queue/sql/control";
import { insertTasks, type TaskInsert } from "@/queue/sql/enqueue";
import { WAKEUP_CHANNEL } from "@/queue/sql/changes";
import { connOf, execute, transaction } from "@/queue/sql/executor";
import { heartbeat, liveWorkers, registerWorker, rescueExpired, stopWorker } from "@/queue/sql/lease";
import { insertLogLines, upsertResultRows, writeProgress } from "@/queue/sql/runWrites";
import { IllegalTransitionError } from "@/queue/states";
import { sql } from "@/db/dialect";
import { registry } from "@/tasks";
import { readRunLog, type RunLogQuery } from "@/queue/runLog";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";

const claim = (t: TestDb, limit = 10, queue = "default", leaseMs = 30_000) =>
  claimTasks(t.conn, { workerId: "w1", slots: { [queue]: limit }, limit, leaseMs });

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`engine on ${kind}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await t.drop();
    });

    it("claims by priority, then run_at, then id, and not before run_at", async () => {
      const low = await enqueue(t.conn, registry, { type: "noop", priority: 200 });
      const a = await enqueue(t.conn, registry, { type: "noop" });
      const high = await enqueue(t.conn, registry, { type: "noop", priority: 900 });
      const b = await enqueue(t.conn, registry, { type: "noop" });
      const later = await enqueue(t.conn, registry, { type: "noop", priority: 900, delayMs: 60_000 });
      const claimed = await claim(t);
      expect(claimed.map((c) => c.id)).toEqual([high.id, a.id, b.id, low.id]);
      expect(claimed.every((c) => c.attempt === 1 && c.runId > 0)).toBe(true);
      expect(claimed.map((c) => c.id)).not.toContain(later.id);
      const rows = await t.database.db.task.findMany({ where: { status: "running" } });
      expect(rows).toHaveLength(4);
      expect(rows.every((r) => r.runId !== null && r.leaseExpiresAt !== null && r.workerId === "w1")).toBe(true);
      expect(await t.database.db.run.count({ where: { status: "running" } })).toBe(4);
    });

    it("claims at most the limit, only from the asked queue, never the same task twice", async () => {
      await enqueueMany(
        t.conn,
        registry,
        Array.from({ length: 25 }, () => ({ type: "noop" })),
      );
      await enqueue(t.conn, registry, { type: "busy", payload: { ms: 1 } }); // queue compute
      const [x, y] = await Promise.all([claim(t, 10), claim(t, 10)]);
      const z = await claim(t, 10);
      const ids = [...x, ...y, ...z].map((c) => c.id);
      expect(x).toHaveLength(10);
      expect(y).toHaveLength(10);
      expect(z).toHaveLength(5);
      expect(new Set(ids).size).toBe(25);
      expect((await claim(t, 10, "compute")).map((c) => c.type)).toEqual(["busy"]);
    });

    it("opens one run per claimed task, pointed to by the task, with ids never reused", async () => {
      const first = await enqueueMany(t.conn, registry, [{ type: "noop" }, { type: "noop" }, { type: "noop" }]);
      const claimed = await claim(t, 10);
      const runs = await t.database.db.run.findMany({ orderBy: { id: "asc" } });
      expect(runs.map((r) => [r.id, r.taskId, r.attempt, r.status])).toEqual(
        [...claimed].sort((a, b) => a.runId - b.runId).map((c) => [c.runId, c.id, 1, "running"]),
      );
      const tasks = await t.database.db.task.findMany({ where: { id: { in: first.ids } } });
      expect(tasks.every((task) => claimed.find((c) => c.id === task.id)?.runId === task.runId)).toBe(true);
      // The newest run goes (its task deleted): the next claim's run still gets a new id, so a
      // late write of the deleted run can never pass the fence of the new one.
      const newest = Math.max(...claimed.map((c) => c.runId));
      for (const c of claimed) expect((await closeRun(t.conn, c.id, c.runId, { kind: "succeeded", result: null }, 1)).applied).toBe(true);
      await deleteTask(t.conn, claimed.find((c) => c.runId === newest)!.id);
      await enqueue(t.conn, registry, { type: "noop" });
      const [next] = await claim(t, 1);
      expect(next.runId).toBeGreaterThan(newest);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: next.id } })).runId).toBe(next.runId);
    });

    it("claims across queues in one go: each queue within its slots, the best of them by priority within the limit", async () => {
      const d = await enqueueMany(
        t.conn,
        registry,
        Array.from({ length: 3 }, () => ({ type: "noop" })),
      );
      const urgent = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 1 }, priority: 900 });
      const c2 = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 1 } });
      await enqueue(t.conn, registry, { type: "busy", payload: { ms: 1 } });
      const claimed = await claimTasks(t.conn, { workerId: "w1", slots: { default: 2, compute: 5, crawl: 3, empty: 0 }, limit: 4, leaseMs: 30_000 });
      expect(claimed.map((c) => c.id)).toEqual([urgent.id, d.ids[0], d.ids[1], c2.id]);
      // Every claimed task points at the run just opened for it, and that run at the task.
      const runs = await t.database.db.run.findMany({ where: { id: { in: claimed.map((c) => c.runId) } } });
      expect(new Set(runs.map((r) => r.id)).size).toBe(4);
      for (const c of claimed) {
        const task = await t.database.db.task.findUniqueOrThrow({ where: { id: c.id } });
        expect(task.runId).toBe(c.runId);
        expect(runs.find((r) => r.id === c.runId)).toMatchObject({ taskId: c.id, attempt: 1, status: "running", workerId: "w1" });
      }
      expect(await claimTasks(t.conn, { workerId: "w1", slots: { default: 0 }, limit: 4, leaseMs: 30_000 })).toEqual([]);
    });

    it("returns the existing unfinished task for a repeated idempotency key, and frees the key when it finishes", async () => {
      const first = await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "nav-2026-11-20" });
      const again = await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "nav-2026-11-20" });
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      const batch = await enqueueMany(t.conn, registry, [
        { type: "noop", idempotencyKey: "nav-2026-11-20" },
        { type: "noop", idempotencyKey: "k2" },
        { type: "noop", idempotencyKey: "k2" },
        { type: "noop" },
      ]);
      expect(batch.ids[0]).toBe(first.id);
      expect(batch.created).toEqual([false, true, false, true]);
      expect(batch.ids[2]).toBe(batch.ids[1]);
      expect(await t.database.db.task.count()).toBe(3);

      const [c] = await claim(t, 1);
      expect(c.id).toBe(first.id);
      expect((await closeRun(t.conn, c.id, c.runId, { kind: "succeeded", result: null }, 1)).applied).toBe(true);
      const fresh = await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "nav-2026-11-20" });
      expect(fresh.created).toBe(true);
      expect(fresh.id).not.toBe(first.id);
    });

    it("scopes an idempotency key by task type: the same key on another type is another task", async () => {
      const a = await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "daily-2026-11-20" });
      const b = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 1 }, idempotencyKey: "daily-2026-11-20" });
      expect(b.created).toBe(true);
      expect(b.id).not.toBe(a.id);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: b.id } })).type).toBe("sleep");
      // In one batch too, mixed with a hit on each type.
      const batch = await enqueueMany(t.conn, registry, [
        { type: "sleep", payload: { ms: 1 }, idempotencyKey: "daily-2026-11-20" },
        { type: "flaky", payload: { fail_times: 0 }, idempotencyKey: "daily-2026-11-20" },
        { type: "noop", idempotencyKey: "daily-2026-11-20" },
        { type: "flaky", payload: { fail_times: 0 }, idempotencyKey: "daily-2026-11-20" },
      ]);
      expect(batch.created).toEqual([false, true, false, false]);
      expect(batch.ids[0]).toBe(b.id);
      expect(batch.ids[2]).toBe(a.id);
      expect(batch.ids[3]).toBe(batch.ids[1]);
      expect(await t.database.db.task.count()).toBe(3);
    });

    it("rejects an invalid batch before writing anything", async () => {
      await expect(
        enqueueMany(t.conn, registry, [
          { type: "sleep", payload: { ms: 5 } },
          { type: "sleep", payload: { ms: -1 } },
        ]),
      ).rejects.toThrow(InvalidTaskError);
      await expect(enqueue(t.conn, registry, { type: "nope" })).rejects.toThrow(/unknown task type/);
      await expect(enqueue(t.conn, registry, { type: "noop", priority: 50 })).rejects.toThrow(/priority/);
      expect(await t.database.db.task.count()).toBe(0);
    });

    it("writes a batch in one transaction: a failure in a later chunk leaves no task", async () => {
      const row: TaskInsert = {
        type: "noop",
        queue: "default",
        payload: "{}",
        priority: 500,
        runAt: null,
        delayMs: 0,
        maxAttempts: 1,
        timeoutMs: 1000,
        batchId: "b",
        idempotencyKey: null,
        parentId: null,
        scheduleId: null,
        createdBy: null,
      };
      const rows = Array.from({ length: 2_500 }, () => ({ ...row }));
      rows[2_200] = { ...row, payload: null as unknown as string }; // NOT NULL violation in the third chunk
      await expect(insertTasks(t.conn, rows)).rejects.toThrow();
      expect(await t.database.db.task.count()).toBe(0);
      const ok = await enqueueMany(
        t.conn,
        registry,
        Array.from({ length: 2_500 }, () => ({ type: "noop" })),
      );
      expect(new Set(ok.ids).size).toBe(2_500);
      expect(await t.database.db.task.count({ where: { batchId: ok.batchId } })).toBe(2_500);
    });

    // PostgreSQL only (SQLite workers watch the database file instead), so not even listed on SQLite.
    if (kind === "postgres")
      it("wakes listening workers at the enqueue's commit, once per queue, and not for an idempotency hit", async () => {
        const listener = new pg.Client({ connectionString: t.url });
        await listener.connect();
        const heard: string[] = [];
        listener.on("notification", (n) => heard.push(n.payload ?? ""));
        await listener.query(`LISTEN ${WAKEUP_CHANNEL}`);
        try {
          await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "k1" });
          await waitFor(() => heard.length === 1, 5_000, "the wake-up of a single enqueue");
          expect(heard).toEqual(["default"]);
          await enqueueMany(t.conn, registry, [{ type: "noop" }, { type: "busy", payload: { ms: 1 } }, { type: "noop" }]);
          await waitFor(() => heard.length === 3, 5_000, "one wake-up per queue of a batch");
          expect(heard.slice(1).sort()).toEqual(["compute", "default"]);
          // Nothing inserted (the key is held by an unfinished task): nothing to wake for.
          expect((await enqueue(t.conn, registry, { type: "noop", idempotencyKey: "k1" })).created).toBe(false);
          await enqueue(t.conn, registry, { type: "noop", queue: "crawl" });
          await waitFor(() => heard.length === 4, 5_000, "the next wake-up");
          expect(heard[3]).toBe("crawl");
        } finally {
          await listener.end();
        }
      });

    it("enqueues inside a caller's Prisma transaction: rolled back with it, committed with it", async () => {
      await expect(
        t.database.db.$transaction(async (tx) => {
          await enqueue(connOf(tx, t.database.provider, true), registry, { type: "noop" });
          throw new Error("the business write failed");
        }),
      ).rejects.toThrow("the business write failed");
      expect(await t.database.db.task.count()).toBe(0);
      await t.database.db.$transaction(async (tx) => {
        await enqueue(connOf(tx, t.database.provider, true), registry, { type: "noop" });
      });
      expect(await t.database.db.task.count()).toBe(1);
    });

    it("fences every write of a run on its lease: a rescued run that wakes up late changes nothing", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 10 }, maxAttempts: 3 });
      const [old] = await claim(t, 1, "default", 60_000);
      expect(await writeProgress(t.conn, id, old.runId, 10, "old")).toBe(true);
      expect(
        await upsertResultRows(t.conn, id, old.runId, [
          { key: "a", data: '"old"' },
          { key: "b", data: '"old"' },
        ]),
      ).toBe(true);
      // The worker "dies": its lease runs out and another worker rescues the task.
      await execute(t.conn, sql`UPDATE tasks SET lease_expires_at = ${new Date(Date.now() - 60_000)} WHERE id = ${id}`);
      const rescued = await rescueExpired(t.conn);
      expect(rescued).toEqual([{ taskId: id, runId: old.runId, status: "queued" }]);
      expect((await t.database.db.run.findUnique({ where: { id: old.runId } }))?.status).toBe("lost");
      const [next] = await claim(t, 1);
      expect(next.attempt).toBe(2);
      // The new attempt starts from a clean slate of result rows.
      expect(await t.database.db.resultRow.count({ where: { taskId: id } })).toBe(0);

      // Everything the old run tries now is refused.
      expect(await writeProgress(t.conn, id, old.runId, 99, "late")).toBe(false);
      expect(await insertLogLines(t.conn, id, old.runId, [{ seq: 1, ts: new Date(), level: "info", message: "late", data: null }])).toBe(false);
      expect(await upsertResultRows(t.conn, id, old.runId, [{ key: "a", data: '"late"' }])).toBe(false);
      expect((await closeRun(t.conn, id, old.runId, { kind: "succeeded", result: '"late"' }, 5)).applied).toBe(false);

      // The new run writes and finishes normally.
      expect(await upsertResultRows(t.conn, id, next.runId, [{ key: "a", data: '"new"' }])).toBe(true);
      expect(await insertLogLines(t.conn, id, next.runId, [{ seq: 1, ts: new Date(), level: "info", message: "hello", data: '{"x":1}' }])).toBe(true);
      expect(await closeRun(t.conn, id, next.runId, { kind: "succeeded", result: '{"ok":true}' }, 5)).toEqual({
        applied: true,
        taskStatus: "succeeded",
        runStatus: "succeeded",
      });
      // …exactly once: closing again is refused.
      expect((await closeRun(t.conn, id, next.runId, { kind: "succeeded", result: null }, 5)).applied).toBe(false);

      const task = await t.database.db.task.findUniqueOrThrow({ where: { id } });
      expect(task).toMatchObject({ status: "succeeded", result: '{"ok":true}', progress: 100 });
      expect(await t.database.db.resultRow.findMany({ where: { taskId: id } })).toMatchObject([{ rowKey: "a", data: '"new"', runId: next.runId }]);
      expect((await t.database.db.runLog.findMany({ where: { runId: next.runId } })).map((l) => l.message)).toEqual(["hello"]);
      expect(await t.database.db.runLog.count({ where: { runId: old.runId } })).toBe(0);
    });

    it("reads a run's log with its start and success lines rendered from the run row, paged and filtered", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "noop", maxAttempts: 4 });
      const [c] = await claim(t, 1);
      const line = (seq: number, level: "info" | "warn", message: string) => ({ seq, ts: new Date(), level, message, data: null });
      // What a worker writes: its handler's lines from seq 2 on.
      expect(await insertLogLines(t.conn, id, c.runId, [line(2, "info", "fetched 3 rows"), line(3, "warn", "slow source")])).toBe(true);
      const read = async (q: Partial<RunLogQuery> = {}) => {
        const run = await t.database.db.run.findUniqueOrThrow({ where: { id: c.runId } });
        return (await readRunLog(t.conn, run, { afterSeq: 0, limit: 100, ...q })).map((l) => `${l.seq} ${l.level} ${l.message}`);
      };
      // Running: started, then the stored lines; no closing line yet.
      expect(await read()).toEqual(["1 info attempt 1/4 started on worker w1", "2 info fetched 3 rows", "3 warn slow source"]);
      expect((await closeRun(t.conn, id, c.runId, { kind: "succeeded", result: null }, 5)).applied).toBe(true);
      expect(await read()).toEqual(["1 info attempt 1/4 started on worker w1", "2 info fetched 3 rows", "3 warn slow source", "4 info succeeded"]);
      // Paged: every line once, the closing one only on the page that reaches the end.
      expect(await read({ limit: 2 })).toEqual(["1 info attempt 1/4 started on worker w1", "2 info fetched 3 rows"]);
      expect(await read({ afterSeq: 2, limit: 1 })).toEqual(["3 warn slow source"]);
      expect(await read({ afterSeq: 3, limit: 1 })).toEqual(["4 info succeeded"]);
      expect(await read({ afterSeq: 4 })).toEqual([]);
      // Filtered like stored lines.
      expect(await read({ level: "warn" })).toEqual(["3 warn slow source"]);
      expect(await read({ q: "succeeded" })).toEqual(["4 info succeeded"]);
      expect(await read({ q: "started" })).toEqual(["1 info attempt 1/4 started on worker w1"]);
      // Rendered lines are not stored: a drain writes no log row for a task whose handler is silent.
      expect(await t.database.db.runLog.count({ where: { runId: c.runId } })).toBe(2);

      // A stored line at seq 1 (a task that ended before its handler started) replaces the start line.
      const other = await enqueue(t.conn, registry, { type: "noop" });
      const [c2] = await claim(t, 1);
      expect(c2.id).toBe(other.id);
      expect(await insertLogLines(t.conn, other.id, c2.runId, [line(1, "warn", "handed back to the queue: shutdown")])).toBe(true);
      const run2 = await t.database.db.run.findUniqueOrThrow({ where: { id: c2.runId } });
      expect((await readRunLog(t.conn, run2, { afterSeq: 0, limit: 10 })).map((l) => l.message)).toEqual(["handed back to the queue: shutdown"]);
      // Also when a filter hides that stored line from the page.
      expect(await readRunLog(t.conn, run2, { afterSeq: 0, limit: 10, q: "attempt" })).toEqual([]);
      // A run from before migration 0006 (no max_attempts) stored all its lines: none is rendered.
      await t.database.db.run.update({ where: { id: c.runId }, data: { maxAttempts: null } });
      expect(await read()).toEqual(["2 info fetched 3 rows", "3 warn slow source"]);
    });

    it("searches a log for an exact part of a message: % and _ are plain characters, case counts", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "noop" });
      const [c] = await claim(t, 1);
      const lines = ["50% done", "a_b", "axb", "ALL DONE", "all done"].map((message, i) => ({
        seq: i + 2,
        ts: new Date(),
        level: "info" as const,
        message,
        data: null,
      }));
      expect(await insertLogLines(t.conn, id, c.runId, lines)).toBe(true);
      const run = await t.database.db.run.findUniqueOrThrow({ where: { id: c.runId } });
      const find = async (q: string) => (await readRunLog(t.conn, run, { afterSeq: 0, limit: 100, q })).map((l) => l.message);
      expect(await find("%")).toEqual(["50% done"]);
      expect(await find("a_b")).toEqual(["a_b"]);
      expect(await find("_")).toEqual(["a_b"]);
      expect(await find("all done")).toEqual(["all done"]);
      expect(await find("DONE")).toEqual(["ALL DONE"]);
    });

    it("fails a task whose lease expires with no attempts left, and cancels one with a pending cancel", async () => {
      const a = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 10 }, maxAttempts: 1 });
      const b = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 10 }, maxAttempts: 5 });
      await claim(t, 2, "default", 60_000);
      expect(await cancelTask(t.conn, b.id)).toBe("cancel_requested");
      await execute(t.conn, sql`UPDATE tasks SET lease_expires_at = ${new Date(Date.now() - 1000)}`);
      const rescued = await rescueExpired(t.conn);
      expect(Object.fromEntries(rescued.map((r) => [r.taskId, r.status]))).toEqual({ [a.id]: "failed", [b.id]: "cancelled" });
      const failed = await t.database.db.task.findUniqueOrThrow({ where: { id: a.id } });
      expect(failed.error).toMatch(/lease expired/);
      expect(failed.finishedAt).not.toBeNull();
      expect(await rescueExpired(t.conn)).toEqual([]);
    });

    it("renews leases by heartbeat and reports cancels and lost runs", async () => {
      await registerWorker(t.conn, { id: "w1", host: "h", pid: 1, queues: "default" });
      await enqueueMany(t.conn, registry, [{ type: "noop" }, { type: "noop" }]);
      const [x, y] = await claim(t, 2, "default", 1_000);
      await cancelTask(t.conn, y.id);
      const hb = await heartbeat(t.conn, { workerId: "w1", runIds: [x.runId, y.runId, 999_999], leaseMs: 60_000 });
      expect(hb).toEqual({ cancelRequested: [y.runId], lost: [999_999] });
      const lease = (await t.database.db.task.findUniqueOrThrow({ where: { id: x.id } })).leaseExpiresAt as Date;
      expect(lease.getTime()).toBeGreaterThan(Date.now() + 30_000);
      expect((await t.database.db.worker.findUniqueOrThrow({ where: { id: "w1" } })).running).toBe(3);
      expect((await liveWorkers(t.conn, 60_000)).map((w) => [w.id, w.running])).toEqual([["w1", 3]]);
      await stopWorker(t.conn, "w1");
      expect(await liveWorkers(t.conn, 60_000)).toEqual([]);
    });

    it("cancels queued tasks at once, refuses illegal transitions, retries failed ones", async () => {
      const q = await enqueue(t.conn, registry, { type: "noop" });
      expect(await cancelTask(t.conn, q.id)).toBe("cancelled");
      await expect(cancelTask(t.conn, q.id)).rejects.toThrow(IllegalTransitionError);
      await expect(cancelTask(t.conn, 987_654)).rejects.toThrow(TaskNotFoundError);

      await retryTask(t.conn, q.id);
      const [c] = await claim(t, 1);
      expect(c.id).toBe(q.id);
      await expect(retryTask(t.conn, q.id)).rejects.toThrow(/cannot retry a task that is running/);
      const closed = await closeRun(t.conn, c.id, c.runId, { kind: "failed", error: "boom", retryable: true, backoffMs: 0, timedOut: false }, 3);
      expect(closed).toEqual({ applied: true, taskStatus: "failed", runStatus: "failed" }); // noop has max_attempts 1

      await expect(deleteTask(t.conn, 987_654)).rejects.toThrow(TaskNotFoundError);
      const running = await enqueue(t.conn, registry, { type: "noop" });
      await claim(t, 1);
      await expect(deleteTask(t.conn, running.id)).rejects.toThrow(/cannot delete a task that is running/);
      await deleteTask(t.conn, q.id);
      expect(await t.database.db.task.findUnique({ where: { id: q.id } })).toBeNull();
      expect(await t.database.db.run.count({ where: { taskId: q.id } })).toBe(0);
    });

    it("puts a failed attempt with attempts left back in the queue with backoff", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "flaky", payload: { fail_times: 3 } });
      const [c] = await claim(t, 1);
      const closed = await closeRun(
        t.conn,
        id,
        c.runId,
        { kind: "failed", error: "Error: x", retryable: true, backoffMs: 60_000, timedOut: false },
        3,
      );
      expect(closed.taskStatus).toBe("queued");
      const task = await t.database.db.task.findUniqueOrThrow({ where: { id } });
      expect(task.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
      expect(task.error).toBe("Error: x");
      expect(await claim(t, 1)).toEqual([]);
    });

    it("keeps concurrent engine transactions on one connection apart (each task claimed once)", async () => {
      await enqueueMany(
        t.conn,
        registry,
        Array.from({ length: 300 }, () => ({ type: "noop" })),
      );
      const claimer = (worker: string) => async () => {
        let n = 0;
        for (let i = 0; i < 40; i++) n += (await claimTasks(t.conn, { workerId: worker, slots: { default: 5 }, limit: 5, leaseMs: 30_000 })).length;
        return n;
      };
      const [a, b] = await Promise.all([
        claimer("a")(),
        claimer("b")(),
        enqueueMany(
          t.conn,
          registry,
          Array.from({ length: 50 }, () => ({ type: "noop" })),
        ),
        transaction(t.conn, async (tx) => execute(tx, sql`UPDATE tasks SET priority = priority WHERE 1 = 0`)),
      ]);
      expect(a + b).toBe(350);
      expect(await t.database.db.run.count()).toBe(350);
      expect(await t.database.db.task.count({ where: { status: "running", attempts: 1 } })).toBe(350);
    });
  });
}
