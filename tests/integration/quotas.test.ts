/**
 * Quotas for non-admins (both databases, the real route handlers): tasks made per principal
 * per minute (429 with Retry-After, nothing written, failed requests give their share back),
 * the longest explicit timeout, and the shortest schedule interval; admins are exempt.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

type Role = "operator" | "admin";

/** Waits while the current minute has under 8 s left, so a test's counts stay in one window. */
async function awayFromMinuteEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100));
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`quotas on ${kind}`, () => {
    let t: TestDb;
    const sessions: Record<Role, string> = { operator: "", admin: "" };
    let h: Record<"task" | "batch" | "bulk" | "schedule" | "patchSchedule", RouteHandler>;
    const saved = { ...process.env };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      h = {
        task: (await import("@/app/api/tasks/route")).POST as RouteHandler,
        batch: (await import("@/app/api/tasks/batch/route")).POST as RouteHandler,
        bulk: (await import("@/app/api/tasks/bulk/route")).POST as RouteHandler,
        schedule: (await import("@/app/api/schedules/route")).POST as RouteHandler,
        patchSchedule: (await import("@/app/api/schedules/[id]/route")).PATCH as RouteHandler,
      };
      for (const role of ["operator", "admin"] as const) sessions[role] = (await signedInUser(t.database.db, `q-${role}`, role)).session;
    });
    beforeEach(async () => {
      await t.database.db.rateLimit.deleteMany({});
      process.env.QTASK_ENQUEUE_PER_MINUTE = "5";
    });
    afterAll(async () => {
      for (const k of ["QTASK_ENQUEUE_PER_MINUTE", "QTASK_MAX_TIMEOUT_MS", "QTASK_MIN_SCHEDULE_SECONDS"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
      await releaseRouteDb();
      await t?.drop();
    });

    const send = async (as: Role, handler: RouteHandler, path: string, body: unknown, method = "POST", params: Record<string, string> = {}) => {
      const res = await callRoute(handler, path, { auth: sessions[as], method, body, params });
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        json: (await res.json()) as Record<string, unknown> & { error?: { message: string } },
      };
    };
    const noops = (n: number) => ({ tasks: Array.from({ length: n }, () => ({ type: "noop" })) });
    const tasks = () => t.database.db.task.count();

    it("limits the tasks an operator makes per minute, writing nothing when refused; admins are exempt", async () => {
      await awayFromMinuteEnd();
      const before = await tasks();
      expect((await send("operator", h.batch, "/api/tasks/batch", noops(3))).status).toBe(201);
      const refused = await send("operator", h.batch, "/api/tasks/batch", noops(3));
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.json.error!.message).toBe("q-operator may make at most 5 tasks a minute (QTASK_ENQUEUE_PER_MINUTE); 2 left in this minute");
      expect(await tasks()).toBe(before + 3);
      // A request that fails gives its share back: two more fit after it.
      expect((await send("operator", h.task, "/api/tasks", { type: "sleep", payload: { ms: "soon" } })).status).toBe(400);
      expect((await send("operator", h.batch, "/api/tasks/batch", noops(2))).status).toBe(201);
      expect((await send("operator", h.task, "/api/tasks", { type: "noop" })).status).toBe(429);
      // A single request over the whole limit could never pass: 400, not 429.
      process.env.QTASK_ENQUEUE_PER_MINUTE = "4";
      expect((await send("operator", h.batch, "/api/tasks/batch", noops(5))).status).toBe(400);
      expect((await send("admin", h.batch, "/api/tasks/batch", noops(20))).status).toBe(201);
      expect(await tasks()).toBe(before + 25);
    });

    it("counts retries, and gives back those that did not happen", async () => {
      await awayFromMinuteEnd();
      const made = await send("admin", h.batch, "/api/tasks/batch", noops(3));
      const ids = made.json.task_ids as string[];
      await t.database.db.task.updateMany({ where: { id: { in: ids.slice(0, 2).map(Number) } }, data: { status: "failed", finishedAt: new Date() } });
      // Two retry, one (queued) cannot: one of the three counted comes back.
      const bulk = await send("operator", h.bulk, "/api/tasks/bulk", { action: "retry", ids });
      expect(bulk.json).toMatchObject({ ok: 2, failed: 1 });
      expect((await t.database.db.rateLimit.findMany()).map((r) => r.hits)).toEqual([2]);
    });

    it("caps explicit timeouts below admin, in groups and schedules too", async () => {
      process.env.QTASK_MAX_TIMEOUT_MS = String(3600_000);
      const long = 3600_001;
      const refused = [
        await send("operator", h.task, "/api/tasks", { type: "busy", payload: { forever: true }, timeout_ms: long }),
        await send("operator", h.batch, "/api/tasks/batch", { tasks: [{ type: "noop" }, { type: "noop", timeout_ms: long }] }),
        await send("operator", h.task, "/api/tasks", { type: "group", payload: { mode: "parallel", tasks: [{ type: "busy", timeout_ms: long }] } }),
        await send("operator", h.schedule, "/api/schedules", {
          name: "long",
          task_type: "noop",
          kind: "interval",
          interval_seconds: 60,
          timeout_ms: long,
        }),
      ];
      expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400]);
      expect(refused[0].json.error!.message).toBe("timeout_ms may be at most 3600000 ms (QTASK_MAX_TIMEOUT_MS) unless an admin sets it");
      expect(refused[1].json.error!.message).toMatch(/^tasks\[1\]\.timeout_ms may be at most/);
      expect(refused[2].json.error!.message).toMatch(/^payload\.tasks\[0\]\.timeout_ms may be at most/);
      expect((await send("operator", h.task, "/api/tasks", { type: "noop", timeout_ms: 3600_000 })).status).toBe(201);
      expect((await send("admin", h.task, "/api/tasks", { type: "noop", timeout_ms: long })).status).toBe(201);
    });

    it("keeps operators' schedules at least 10 s apart; admins may go lower", async () => {
      delete process.env.QTASK_MIN_SCHEDULE_SECONDS;
      const schedule = (name: string, timing: Record<string, unknown>) => ({ name, task_type: "noop", enabled: false, ...timing });
      const every5 = await send("operator", h.schedule, "/api/schedules", schedule("fast", { kind: "interval", interval_seconds: 5 }));
      expect(every5.status).toBe(400);
      expect(every5.json.error!.message).toBe(
        "fires every 5 s; schedules may fire at most every 10 s (QTASK_MIN_SCHEDULE_SECONDS) unless an admin makes them",
      );
      expect((await send("operator", h.schedule, "/api/schedules", schedule("cron5", { kind: "cron", cron: "*/5 * * * * *" }))).status).toBe(400);
      expect((await send("operator", h.schedule, "/api/schedules", schedule("cron10", { kind: "cron", cron: "*/10 * * * * *" }))).status).toBe(201);
      expect((await send("operator", h.schedule, "/api/schedules", schedule("minutely", { kind: "cron", cron: "* * * * *" }))).status).toBe(201);
      const admins = await send("admin", h.schedule, "/api/schedules", schedule("heartbeat", { kind: "interval", interval_seconds: 1 }));
      expect(admins.status).toBe(201);
      const id = String((admins.json.schedule as { id: string }).id);
      // An operator may change what the limit is not about, but not make it fire faster.
      expect((await send("operator", h.patchSchedule, `/api/schedules/${id}`, { description: "ping" }, "PATCH", { id })).status).toBe(200);
      expect((await send("operator", h.patchSchedule, `/api/schedules/${id}`, { interval_seconds: 2 }, "PATCH", { id })).status).toBe(400);
      expect(await t.database.db.schedule.count({ where: { name: { in: ["fast", "cron5"] } } })).toBe(0);
    });
  });
}
