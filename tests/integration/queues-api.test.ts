/**
 * The queues API on both databases, through the real route handlers: GET /api/queues (counts,
 * pause with who and when, limits, oldest due task, workers), pause/resume (operator, audited,
 * enqueueing still works), limits (admin; bad input is a 400 that writes nothing), the
 * catalogue's `queues:` section (export, import dry run and apply, the file at start), and the
 * schedule's fire history endpoint.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as queuesRoute from "@/app/api/queues/route";
import * as queueRoute from "@/app/api/queues/[name]/route";
import * as pauseRoute from "@/app/api/queues/[name]/pause/route";
import * as resumeRoute from "@/app/api/queues/[name]/resume/route";
import * as tasksRoute from "@/app/api/tasks/route";
import * as exportRoute from "@/app/api/schedules/export/route";
import * as importRoute from "@/app/api/schedules/import/route";
import type { QueueJson } from "@/contracts/queues";
import { enqueueMany } from "@/queue/enqueue";
import { loadCatalogueFile } from "@/server/schedule/cataloguePlan";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`queues API on ${kind}`, () => {
    let t: TestDb;
    let admin: string;
    let operator: string;
    let viewer: string;
    const list = async (auth = viewer) => {
      const res = await callRoute(queuesRoute.GET, "/api/queues", { auth });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: QueueJson[] }).items;
    };
    const one = async (name: string) => (await list()).find((q) => q.name === name);

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      admin = (await signedInUser(t.database.db, "ada", "admin")).session;
      operator = (await signedInUser(t.database.db, "otto", "operator")).session;
      viewer = (await signedInUser(t.database.db, "vic", "viewer")).session;
      await enqueueMany(t.conn, registry, [
        ...Array.from({ length: 3 }, () => ({ type: "noop", queue: "alpha", payload: {} })),
        { type: "noop", queue: "alpha", payload: {}, runAt: new Date(Date.now() + 3600_000) },
      ]);
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t.drop();
    });

    it("lists every known queue with counts, oldest due age and limits", async () => {
      const items = await list();
      // Task types' queues are known even without tasks.
      expect(items.map((q) => q.name)).toEqual(expect.arrayContaining(["alpha", "default", "crawl", "compute"]));
      const alpha = items.find((q) => q.name === "alpha")!;
      expect(alpha.counts).toMatchObject({ queued: 4, running: 0, succeeded: 0, failed: 0, cancelled: 0 });
      expect(alpha.paused).toBe(false);
      expect(alpha.limits).toEqual({ max_running: null, rate: null, per_key: null });
      expect(alpha.oldest_queued_age_s).not.toBeNull();
      expect(alpha.oldest_queued_age_s!).toBeGreaterThanOrEqual(0);
      expect(alpha.oldest_queued_age_s!).toBeLessThan(60);
      expect(alpha.workers).toEqual([]);
    });

    it("pause and resume: operator only, audited with who and when; enqueueing still works while paused", async () => {
      expect((await callRoute(pauseRoute.POST, "/api/queues/alpha/pause", { auth: viewer, method: "POST", params: { name: "alpha" } })).status).toBe(403);
      expect((await callRoute(pauseRoute.POST, "/api/queues/nope/pause", { auth: operator, method: "POST", params: { name: "nope" } })).status).toBe(404);
      expect((await callRoute(pauseRoute.POST, "/api/queues/Bad!/pause", { auth: operator, method: "POST", params: { name: "Bad!" } })).status).toBe(404);
      const res = await callRoute(pauseRoute.POST, "/api/queues/alpha/pause", { auth: operator, method: "POST", params: { name: "alpha" } });
      expect(res.status).toBe(200);
      const { queue } = (await res.json()) as { queue: QueueJson };
      expect(queue.paused).toBe(true);
      expect(queue.paused_by).toBe("otto");
      expect(Math.abs(Date.parse(queue.paused_at!) - Date.now())).toBeLessThan(10_000);
      const audit = await t.database.db.auditLog.findFirstOrThrow({ where: { action: "queue.pause" } });
      expect(audit).toMatchObject({ actor: "otto", target: "alpha" });
      const before = (await one("alpha"))!.counts.queued;
      await enqueueMany(t.conn, registry, [{ type: "noop", queue: "alpha", payload: {} }]);
      await callRoute(pauseRoute.POST, "/api/queues/default/pause", { auth: operator, method: "POST", params: { name: "default" } });
      const enq = await callRoute(tasksRoute.POST, "/api/tasks", { auth: operator, body: { type: "noop" } });
      expect(enq.status).toBe(201);
      expect(await t.database.db.task.count({ where: { queue: "alpha", status: "queued" } })).toBe(before + 1);
      expect((await one("alpha"))!.paused).toBe(true);
      const back = await callRoute(resumeRoute.POST, "/api/queues/alpha/resume", { auth: operator, method: "POST", params: { name: "alpha" } });
      expect(((await back.json()) as { queue: QueueJson }).queue).toMatchObject({ paused: false, paused_by: null, paused_at: null });
      expect(await t.database.db.auditLog.count({ where: { action: "queue.resume", target: "alpha" } })).toBe(1);
    });

    it("limits: admin only; bad input is a 400 and writes nothing; null removes a limit", async () => {
      const patch = (auth: string, body: unknown) => callRoute(queueRoute.PATCH, "/api/queues/alpha", { auth, method: "PATCH", body, params: { name: "alpha" } });
      expect((await patch(operator, { max_running: 2 })).status).toBe(403);
      for (const bad of [{ max_running: 0 }, { rate: { limit: 5, per: "hour" } }, { per_key: { field: "a.b", max_running: 1 } }, { max_runing: 2 }]) {
        const res = await patch(admin, bad);
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_input");
      }
      expect(await t.database.db.queueControl.findUnique({ where: { name: "alpha" } })).toMatchObject({ maxRunning: null, rateLimit: null });
      const res = await patch(admin, { max_running: 4, rate: { limit: 5, per: "second" }, per_key: { field: "fund_code", max_running: 1 } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { queue: QueueJson }).queue.limits).toEqual({
        max_running: 4,
        rate: { limit: 5, per: "second" },
        per_key: { field: "fund_code", max_running: 1 },
      });
      const audit = await t.database.db.auditLog.findFirstOrThrow({ where: { action: "queue.limits" } });
      expect(JSON.parse(audit.details!)).toMatchObject({ before: { max_running: null }, after: { max_running: 4 } });
      await patch(admin, { max_running: 4 });
      expect((await one("alpha"))!.limits).toEqual({ max_running: 4, rate: null, per_key: null });
    });

    it("the catalogue's queues: section: exported, imported with a diff (dry run writes nothing), applied from the file at start", async () => {
      const yaml = await (await callRoute(exportRoute.GET, "/api/schedules/export", { auth: viewer })).text();
      expect(yaml).toMatch(/queues:\n {2}alpha:\n {4}max_running: 4/);
      const doc = "version: 1\nqueues:\n  alpha:\n    max_running: 2\n  beta:\n    rate: { limit: 10, per: minute }\n";
      const send = (auth: string, query: string) =>
        importRoute.POST(
          new Request(`http://127.0.0.1:3000/api/schedules/import${query}`, { method: "POST", headers: { cookie: `qtask_session=${auth}`, "content-type": "application/yaml" }, body: doc }),
          { params: Promise.resolve({}) },
        );
      expect((await send(operator, "?dry_run=true")).status).toBe(403);
      const dry = (await (await send(admin, "?dry_run=true")).json()) as { queues: { changes: { name: string; action: string; fields: string[] }[] } };
      expect(dry.queues.changes).toEqual([
        { name: "alpha", action: "change", fields: ["max_running"] },
        { name: "beta", action: "add", fields: ["rate"] },
      ]);
      expect((await one("alpha"))!.limits.max_running).toBe(4);
      expect((await send(admin, "")).status).toBe(200);
      expect((await one("alpha"))!.limits.max_running).toBe(2);
      expect((await one("beta"))!.limits.rate).toEqual({ limit: 10, per: "minute" });

      // The file at start: applied once; a later change from the panel survives the next start.
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "qtask-queues-")), "tasks.yaml");
      fs.writeFileSync(file, "version: 1\nqueues:\n  gamma:\n    max_running: 3\n");
      await loadCatalogueFile(t.database.db, registry, file);
      expect((await one("gamma"))!).toMatchObject({ limits: { max_running: 3 }, from_catalogue: true });
      await callRoute(queueRoute.PATCH, "/api/queues/gamma", { auth: admin, method: "PATCH", body: { max_running: 7 }, params: { name: "gamma" } });
      await loadCatalogueFile(t.database.db, registry, file);
      expect((await one("gamma"))!.limits.max_running).toBe(7);
      fs.writeFileSync(file, "version: 1\nqueues:\n  gamma:\n    max_running: 5\n");
      await loadCatalogueFile(t.database.db, registry, file);
      expect((await one("gamma"))!.limits.max_running).toBe(5);
    });
  });
}
