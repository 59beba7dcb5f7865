/**
 * Task types declare the least role that may make them (both databases, through the real
 * route handlers): an operator reaches the admin-only maintenance types by no path — enqueue,
 * batch, a group's child, a schedule (create, change to it, or control an admin's), backfill,
 * retry (one, bulk, a batch's failed) — and nothing is written when refused; an admin can.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { cancelTask } from "@/queue/sql/control";
import { registry } from "@/tasks";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

/** The route modules the tests call, by their path under src/app/api. */
const ROUTES: Record<string, () => Promise<Record<string, unknown>>> = {
  "task-types": () => import("@/app/api/task-types/route"),
  tasks: () => import("@/app/api/tasks/route"),
  "tasks/batch": () => import("@/app/api/tasks/batch/route"),
  "tasks/bulk": () => import("@/app/api/tasks/bulk/route"),
  "tasks/[id]/retry": () => import("@/app/api/tasks/[id]/retry/route"),
  "tasks/batches/[batch_id]/retry_failed": () => import("@/app/api/tasks/batches/[batch_id]/retry_failed/route"),
  schedules: () => import("@/app/api/schedules/route"),
  "schedules/[id]": () => import("@/app/api/schedules/[id]/route"),
  "schedules/[id]/trigger": () => import("@/app/api/schedules/[id]/trigger/route"),
  "schedules/[id]/pause": () => import("@/app/api/schedules/[id]/pause/route"),
  "schedules/[id]/backfill": () => import("@/app/api/schedules/[id]/backfill/route"),
};
const route = async (path: string, verb: string) => (await ROUTES[path]())[verb] as RouteHandler;

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`task type roles on ${kind}`, () => {
    let t: TestDb;
    const sessions: Record<"operator" | "admin", string> = { operator: "", admin: "" };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      for (const role of ["operator", "admin"] as const) sessions[role] = (await signedInUser(t.database.db, `r-${role}`, role)).session;
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    const call = async (as: "operator" | "admin", path: string, verb: string, body?: unknown, params: Record<string, string> = {}) => {
      const file = path.replace(/\/\d+(?=\/|$)/g, "/[id]").replace("/batches/maint", "/batches/[batch_id]");
      const h = await route(file.replace(/^\/api\//, ""), verb);
      const res = await callRoute(h, path, { auth: sessions[as], method: verb, body, params });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
    };
    const counts = async () => ({ tasks: await t.database.db.task.count(), schedules: await t.database.db.schedule.count() });

    it("lists each type's least role", async () => {
      const { json } = await call("operator", "/api/task-types", "GET");
      const roles = Object.fromEntries((json.items as { name: string; role: string }[]).map((x) => [x.name, x.role]));
      expect(roles).toMatchObject({ retention_cleanup: "admin", db_maintenance: "admin", noop: "operator", group: "operator" });
    });

    it("refuses an operator every way of making a maintenance task, writing nothing", async () => {
      const before = await counts();
      const cleanup = { type: "retention_cleanup", payload: { older_than_days: 0 } };
      const refused = [
        await call("operator", "/api/tasks", "POST", cleanup),
        await call("operator", "/api/tasks/batch", "POST", { tasks: [{ type: "noop" }, { type: "db_maintenance" }] }),
        await call("operator", "/api/tasks", "POST", { type: "group", payload: { mode: "sequence", tasks: [{ type: "noop" }, cleanup] } }),
        await call("operator", "/api/schedules", "POST", { name: "wipe", task_type: "retention_cleanup", kind: "interval", interval_seconds: 3600 }),
      ];
      expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
      expect(refused[0].json.error!.message).toBe("retention_cleanup tasks need the admin role");
      expect(refused[1].json.error!.message).toBe("tasks[1]: db_maintenance tasks need the admin role");
      expect(refused[2].json.error!.message).toBe("this group holds a task that needs the admin role");
      expect(await counts()).toEqual(before);

      // Changing an operator's schedule into maintenance is refused too.
      const mine = await call("operator", "/api/schedules", "POST", { name: "mine", task_type: "noop", kind: "interval", interval_seconds: 3600 });
      expect(mine.status).toBe(201);
      const id = String((mine.json.schedule as { id: string }).id);
      expect((await call("operator", `/api/schedules/${id}`, "PATCH", { task_type: "db_maintenance" }, { id })).status).toBe(403);
      expect((await t.database.db.schedule.findUniqueOrThrow({ where: { id: Number(id) } })).taskType).toBe("noop");
    });

    it("lets an operator neither fire, change, backfill nor delete an admin's maintenance schedule, nor retry its tasks", async () => {
      const made = await call("admin", "/api/schedules", "POST", {
        name: "monthly",
        task_type: "retention_cleanup",
        kind: "interval",
        interval_seconds: 86400,
      });
      expect(made.status).toBe(201);
      const id = String((made.json.schedule as { id: string }).id);
      const p = { id };
      const attempts = [
        await call("operator", `/api/schedules/${id}/trigger`, "POST", undefined, p),
        await call("operator", `/api/schedules/${id}`, "PATCH", { interval_seconds: 60 }, p),
        await call("operator", `/api/schedules/${id}/pause`, "POST", undefined, p),
        await call("operator", `/api/schedules/${id}/backfill`, "POST", { from: "2024-01-02", to: "2024-01-05" }, p),
        await call("operator", `/api/schedules/${id}`, "DELETE", undefined, p),
      ];
      expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
      expect(await t.database.db.task.count({ where: { type: "retention_cleanup" } })).toBe(0);

      // A cancelled maintenance task, made by an admin: the operator may not queue it again.
      const task = await enqueue(t.conn, registry, { type: "retention_cleanup", payload: {}, batchId: "maint" });
      await cancelTask(t.conn, task.id);
      const tid = String(task.id);
      expect((await call("operator", `/api/tasks/${tid}/retry`, "POST", undefined, { id: tid })).status).toBe(403);
      const bulk = await call("operator", "/api/tasks/bulk", "POST", { action: "retry", ids: [tid] });
      expect(bulk.json).toMatchObject({ ok: 0, failed: 1, results: [{ id: tid, ok: false, error: "retention_cleanup tasks need the admin role" }] });
      expect((await call("operator", "/api/tasks/batches/maint/retry_failed", "POST", undefined, { batch_id: "maint" })).status).toBe(403);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("cancelled");

      // The admin can do all of it.
      expect((await call("admin", `/api/tasks/${tid}/retry`, "POST", undefined, { id: tid })).status).toBe(200);
      expect((await call("admin", `/api/schedules/${id}/trigger`, "POST", undefined, p)).status).toBe(200);
      expect((await call("admin", "/api/tasks", "POST", { type: "db_maintenance" })).status).toBe(201);
    });
  });
}
