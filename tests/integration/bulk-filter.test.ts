/**
 * Bulk actions over a filter on both databases, through the real route handlers and a real
 * worker process: 10,000 failed tasks retried by one request — counted first, worked through
 * by a bulk_action task in bounded transactions (500 ids each), audited once with the filter
 * and the count, tasks made after the request untouched — then the same for delete and cancel.
 * A filter nothing applies to, a role too low, a retry of an admin-only type and a bad filter
 * are refused with the envelope and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as countRoute from "@/app/api/tasks/bulk/count/route";
import * as filterRoute from "@/app/api/tasks/bulk/filter/route";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { finishedTask, freshDb, providers, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

const N = 10_000;

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`bulk actions over a filter on ${kind}`, () => {
    let t: TestDb;
    let admin = "";
    let operator = "";
    let viewer = "";
    let worker: WorkerProcess | null = null;
    const count = async (auth: string, query: string) => {
      const res = await callRoute(countRoute.GET, `/api/tasks/bulk/count?${query}`, { auth });
      return { status: res.status, body: (await res.json()) as { matched: number; eligible: number; error?: { code: string } } };
    };
    const start = async (auth: string, body: unknown) => {
      const res = await callRoute(filterRoute.POST, "/api/tasks/bulk/filter", { auth, body });
      return { status: res.status, body: (await res.json()) as { task_id: string; eligible: number; error?: { code: string; message: string } } };
    };
    const byStatus = async (where: Record<string, unknown>) => {
      const rows = await t.database.db.task.groupBy({ by: ["status"], where, _count: { _all: true } });
      return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
    };
    const audits = () => t.database.db.auditLog.findMany({ where: { action: "task.bulk_filter" }, orderBy: { id: "asc" } });
    const bulkResult = async (taskId: string) => {
      const done = await finishedTask(t, Number(taskId), 60_000);
      expect(done.status, done.error ?? "").toBe("succeeded");
      expect(done.progress).toBe(100);
      return JSON.parse(done.result as string) as {
        action: string;
        matched: number;
        done: number;
        skipped: number;
        cancel_requested?: number;
        transactions: number;
      };
    };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      admin = (await signedInUser(t.database.db, "ada", "admin")).session;
      operator = (await signedInUser(t.database.db, "otto", "operator")).session;
      viewer = (await signedInUser(t.database.db, "vic", "viewer")).session;
      // 10,000 failed sleep tasks and 500 succeeded ones on the crawl queue (no worker here
      // serves it, so what the bulk action queues stays queued), and 300 failed noop tasks.
      const make = async (type: string, n: number) => {
        const ids: number[] = [];
        for (let i = 0; i < n; i += 2_000)
          ids.push(
            ...(
              await enqueueMany(
                t.conn,
                registry,
                Array.from({ length: Math.min(2_000, n - i) }, (_, k) => ({
                  type,
                  payload: type === "sleep" ? { ms: 1, rows: (i + k) % 2 } : {},
                  queue: "crawl",
                })),
              )
            ).ids,
          );
        return ids;
      };
      const failed = await make("sleep", N);
      const ok = await make("sleep", 500);
      const other = await make("noop", 300);
      // By id range: SQLite caps the variables of one statement below 10,000.
      const range = (ids: number[]) => ({ id: { gte: Math.min(...ids), lte: Math.max(...ids) } });
      for (const ids of [failed, other])
        await t.database.db.task.updateMany({ where: range(ids), data: { status: "failed", finishedAt: new Date(), error: "boom" } });
      await t.database.db.task.updateMany({ where: range(ok), data: { status: "succeeded", finishedAt: new Date() } });
      const run = await t.database.db.run.create({ data: { taskId: ok[0], attempt: 1, workerId: "test", status: "succeeded" } });
      await t.database.db.resultRow.create({ data: { taskId: ok[0], runId: run.id, rowKey: "a", data: "{}" } });
    }, 120_000);
    afterAll(async () => {
      await worker?.stop();
      await releaseRouteDb();
      await t?.drop();
    });

    it("counts what each action would touch before anything is done", async () => {
      expect((await count(operator, "action=retry&type=sleep&status=failed")).body).toEqual({ action: "retry", matched: N, eligible: N });
      expect((await count(operator, "action=retry&type=sleep")).body).toEqual({ action: "retry", matched: N + 500, eligible: N });
      expect((await count(operator, "action=delete&type=sleep")).body).toEqual({ action: "delete", matched: N + 500, eligible: N + 500 });
      expect((await count(operator, "action=cancel&status=failed")).body).toEqual({ action: "cancel", matched: N + 300, eligible: 0 });
      expect((await count(operator, "action=retry&payload.rows=1&type=sleep&status=failed")).body.eligible).toBe(N / 2);
      expect((await count(viewer, "action=retry")).status).toBe(403);
      expect((await count(operator, "action=explode")).status).toBe(400);
    });

    it("refuses what it cannot do, writing nothing", async () => {
      const tasks = await t.database.db.task.count();
      const none = await start(operator, { action: "cancel", filter: { status: "failed" } });
      expect(none.status).toBe(400);
      expect(none.body.error?.message).toMatch(/no task matching the filter can be cancelled/);
      expect((await start(viewer, { action: "retry", filter: { type: "sleep" } })).status).toBe(403);
      expect((await start(operator, { action: "retry", filter: { nope: "1" } })).status).toBe(400);
      expect((await start(operator, { action: "retry", filter: { status: "lost" } })).status).toBe(400);
      // An admin-only type: an operator may not run it again.
      const { id } = await enqueue(t.conn, registry, { type: "retention_cleanup", payload: {}, queue: "crawl" });
      await t.database.db.task.update({ where: { id }, data: { status: "failed", finishedAt: new Date() } });
      const forbidden = await start(operator, { action: "retry", filter: { status: "failed" } });
      expect(forbidden.status).toBe(403);
      await t.database.db.task.delete({ where: { id } });
      expect(await t.database.db.task.count()).toBe(tasks - 0);
      expect(await audits()).toEqual([]);
    });

    it("retries 10,000 failed tasks in 20 transactions, audited once; a task made after the request is not touched", async () => {
      const res = await start(admin, { action: "retry", filter: { type: "sleep", status: "failed" } });
      expect(res.status).toBe(202);
      expect(res.body.eligible).toBe(N);
      // Made after the request (a higher id): the bulk action leaves it failed.
      const late = await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 1 }, queue: "crawl" });
      await t.database.db.task.update({ where: { id: late.id }, data: { status: "failed", finishedAt: new Date() } });
      worker = await startWorker(t.url, { QTASK_QUEUES: "default:2" });
      const r = await bulkResult(res.body.task_id);
      expect(r).toEqual({ action: "retry", matched: N, done: N, skipped: 0, transactions: 20 });
      expect(await byStatus({ type: "sleep" })).toEqual({ queued: N, succeeded: 500, failed: 1 });
      expect(await byStatus({ type: "noop" })).toEqual({ failed: 300 });
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: late.id } })).status).toBe("failed");
      // A retried task is a fresh attempt: one more attempt allowed, last outcome cleared.
      const one = await t.database.db.task.findFirstOrThrow({ where: { type: "sleep", status: "queued" } });
      expect([one.error, one.finishedAt, one.maxAttempts - one.attempts]).toEqual([null, null, 1]);
      const a = await audits();
      expect(a).toHaveLength(1);
      expect([a[0].actor, a[0].target]).toEqual(["ada", `${N} tasks`]);
      expect(JSON.parse(a[0].details!)).toEqual({
        action: "retry",
        filter: { type: ["sleep"], status: ["failed"] },
        count: N,
        task_id: res.body.task_id,
      });
    }, 120_000);

    it("deletes the finished tasks a filter matches, with their result rows; cancels the queued ones", async () => {
      const del = await start(operator, { action: "delete", filter: { type: "sleep", status: "succeeded" } });
      expect(del.status).toBe(202);
      expect(await bulkResult(del.body.task_id)).toMatchObject({ action: "delete", matched: 500, done: 500, skipped: 0, transactions: 1 });
      expect(await byStatus({ type: "sleep" })).toEqual({ queued: N, failed: 1 });
      expect(await t.database.db.resultRow.count()).toBe(0);

      const cancel = await start(operator, { action: "cancel", filter: { type: "sleep", queue: "crawl" } });
      expect(cancel.status).toBe(202);
      expect(cancel.body.eligible).toBe(N);
      expect(await bulkResult(cancel.body.task_id)).toMatchObject({ action: "cancel", matched: N, done: N, cancel_requested: 0, transactions: 20 });
      expect(await byStatus({ type: "sleep" })).toEqual({ cancelled: N, failed: 1 });
      expect(await audits()).toHaveLength(3);
    }, 120_000);
  });
}
