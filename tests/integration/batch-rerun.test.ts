/**
 * Re-running a batch as a new batch (POST /api/tasks/batches/{id}/rerun) on both databases:
 * every task or only the failed and cancelled ones, with payload changes merged in; a change a
 * type's schema refuses is a 400 that enqueues nothing; an unknown batch is a 404; a viewer
 * gets a 403; the audit entry names the source batch and the changed fields only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as rerunRoute from "@/app/api/tasks/batches/[batch_id]/rerun/route";
import { enqueueMany } from "@/queue/enqueue";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`batch re-run on ${kind}`, () => {
    let t: TestDb;
    let operator: string;
    let viewer: string;
    let batchId: string;
    const rerun = (auth: string, body: unknown, id = batchId) =>
      callRoute(rerunRoute.POST, `/api/tasks/batches/${id}/rerun`, { auth, body, params: { batch_id: id } });
    const taskCount = () => t.database.db.task.count();

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      operator = (await signedInUser(t.database.db, "otto", "operator")).session;
      viewer = (await signedInUser(t.database.db, "vic", "viewer")).session;
      const made = await enqueueMany(
        t.conn,
        registry,
        [0, 1, 2].map((i) => ({ type: "sleep", payload: { ms: 10 * (i + 1) }, priority: 600, maxAttempts: 2, timeoutMs: 5_000 })),
      );
      batchId = made.batchId;
      // One failed, one cancelled, one succeeded (written directly: this test is about the copy).
      const [a, b, c] = made.ids;
      await t.database.db.task.update({ where: { id: a }, data: { status: "failed", finishedAt: new Date() } });
      await t.database.db.task.update({ where: { id: b }, data: { status: "cancelled", finishedAt: new Date() } });
      await t.database.db.task.update({ where: { id: c }, data: { status: "succeeded", finishedAt: new Date() } });
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t.drop();
    });

    it("copies only the failed and cancelled tasks, with the changes merged into their payloads", async () => {
      const res = await rerun(operator, { only_failed: true, payload_changes: { ms: 5 } });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { batch_id: string; task_ids: string[]; source_batch_id: string };
      expect(body.source_batch_id).toBe(batchId);
      expect(body.batch_id).not.toBe(batchId);
      expect(body.task_ids).toHaveLength(2);
      const copies = await t.database.db.task.findMany({ where: { batchId: body.batch_id }, orderBy: { id: "asc" } });
      expect(copies.map((c) => [c.type, JSON.parse(c.payload), c.status, c.priority, c.maxAttempts, c.timeoutMs, c.createdBy])).toEqual([
        ["sleep", { ms: 5 }, "queued", 600, 2, 5_000, "otto"],
        ["sleep", { ms: 5 }, "queued", 600, 2, 5_000, "otto"],
      ]);
      const audit = await t.database.db.auditLog.findFirstOrThrow({ where: { action: "task.batch_rerun" } });
      expect(JSON.parse(audit.details!)).toEqual({ source_batch_id: batchId, only_failed: true, changed_fields: ["ms"], tasks: 2 });
    });

    it("copies every task of the batch when asked", async () => {
      const res = await rerun(operator, {});
      expect(res.status).toBe(201);
      const { batch_id } = (await res.json()) as { batch_id: string };
      const copies = await t.database.db.task.findMany({ where: { batchId: batch_id }, orderBy: { id: "asc" } });
      expect(copies.map((c) => JSON.parse(c.payload))).toEqual([{ ms: 10 }, { ms: 20 }, { ms: 30 }]);
    });

    it("refuses what it cannot do, writing nothing", async () => {
      const before = await taskCount();
      const bad = await rerun(operator, { payload_changes: { ms: -1 } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
      expect((await rerun(operator, { payload_changes: { nope: 1 } })).status).toBe(400);
      expect((await rerun(operator, { only_failed: "yes" })).status).toBe(400);
      expect((await rerun(operator, {}, "no-such-batch")).status).toBe(404);
      expect((await rerun(viewer, {})).status).toBe(403);
      expect(await taskCount()).toBe(before);
    });
  });
}
