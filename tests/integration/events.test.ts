/**
 * The event stream (GET /api/events) through the real route handler on both databases: task
 * changes written by the engine reach the stream (SQLite: data_version; PostgreSQL: NOTIFY),
 * a log tail resumes from Last-Event-ID without gaps or duplicates, a batch rolls up, bad topics
 * are a 400, and a client that stops reading gets `resync` instead of an unbounded buffer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import { claimTasks } from "@/queue/sql/claim";
import { closeRun } from "@/queue/sql/complete";
import { insertLogLines, writeProgress } from "@/queue/sql/runWrites";
import type { RouteHandler } from "@/server/route";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { openDatabase } from "@/db/client";
import { connOf } from "@/queue/sql/executor";
import { SseReader, type SseEvent } from "./support/sse";

const line = (seq: number, message: string) => ({ seq, ts: new Date(), level: "info" as const, message, data: null });
const json = (e: SseEvent) => JSON.parse(e.data);

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`event stream on ${kind}`, () => {
    let t: TestDb;
    let auth = "";
    let GET: RouteHandler;
    const open = async (query: string, headers: Record<string, string> = {}) => {
      const res = await callRoute(GET, `/api/events?${query}`, { auth });
      expect(res.status, await (res.status === 200 ? "" : res.clone().text())).toBe(200);
      void headers;
      return new SseReader(res.body!);
    };
    const claimOne = async () => {
      const [c] = await claimTasks(t.conn, { workerId: "w1", slots: { default: 5 }, limit: 1, leaseMs: 30_000 });
      return c;
    };

    beforeAll(async () => {
      process.env.QTASK_EVENTS_KEEPALIVE_MS = "300";
      t = await freshDb(kind);
      await useRouteDb(t.url);
      GET = (await import("@/app/api/events/route")).GET as RouteHandler;
      auth = (await signedInUser(t.database.db, "vera", "viewer")).session;
    });
    afterAll(async () => {
      (await import("@/server/events/hub")).closeHubs();
      await releaseRouteDb();
      await t?.drop();
    });

    it("answers bad topics with 400 and no credentials with 401", async () => {
      const bad = await callRoute(GET, "/api/events?topics=tasks,nope", { auth });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.code).toBe("invalid_input");
      const two = await callRoute(GET, "/api/events?topics=run:1:logs,run:2:logs", { auth });
      expect(two.status).toBe(400);
      const anon = await GET(new Request("http://127.0.0.1:3000/api/events?topics=tasks"), { params: Promise.resolve({}) });
      expect(anon.status).toBe(401);
    });

    it("pushes a task's state changes and progress, filtered by queue, and keeps the stream alive", async () => {
      const all = await open("topics=tasks,overview");
      const crawlOnly = await open("topics=tasks&queue=crawl");
      const hello = await all.next();
      expect(hello?.event).toBe("hello");
      expect(json(hello!).source).toBe(kind === "sqlite" ? "data_version" : "notify");
      const { id } = await enqueue(t.conn, registry, { type: "noop", payload: {} });
      const queued = await all.until((e) => e.event === "tasks" && json(e).items.some((i: { id: string; status: string }) => i.id === String(id)));
      expect(json(queued.at(-1)!).items.find((i: { id: string }) => i.id === String(id))).toMatchObject({ status: "queued", queue: "default", type: "noop" });
      const c = await claimOne();
      expect(c.id).toBe(id);
      await all.until((e) => e.event === "tasks" && json(e).items.some((i: { id: string; status: string }) => i.id === String(id) && i.status === "running"));
      await writeProgress(t.conn, id, c.runId, 40, "half way");
      const prog = await all.until((e) => e.event === "tasks" && json(e).items.some((i: { progress: number }) => i.progress === 40));
      expect(json(prog.at(-1)!).items.find((i: { id: string }) => i.id === String(id))).toMatchObject({ progress_message: "half way", run_id: String(c.runId) });
      await closeRun(t.conn, id, c.runId, { kind: "succeeded", result: null }, 5);
      await all.until((e) => e.event === "tasks" && json(e).items.some((i: { id: string; status: string }) => i.id === String(id) && i.status === "succeeded"));
      const ov = await all.until((e) => e.event === "overview");
      expect(json(ov.at(-1)!).counts).toMatchObject({ succeeded: expect.any(Number) });
      // The default-queue task never reached the crawl-only stream: after its hello, only keepalives.
      const first = await crawlOnly.next();
      expect(first?.event).toBe("hello");
      expect(await crawlOnly.next(700)).toBeNull();
      expect(crawlOnly.comments).toBeGreaterThan(0);
      await all.close();
      await crawlOnly.close();
    });

    it("follows a run's log in order, and Last-Event-ID resumes it with no gap and no duplicate", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "noop", payload: {} });
      const c = await claimOne();
      await insertLogLines(t.conn, id, c.runId, [line(2, "two"), line(3, "three")]);
      const first = await open(`topics=run:${c.runId}:logs,task:${id}&after_seq=0`);
      const got = await first.until((e) => e.event === "log" && json(e).seq === 3);
      const logs = got.filter((e) => e.event === "log");
      expect(logs.map((e) => [e.id, json(e).seq])).toEqual([
        ["1", 1],
        ["2", 2],
        ["3", 3],
      ]);
      expect(json(logs[0]).message).toMatch(/^attempt 1\/\d+ started/);
      await insertLogLines(t.conn, id, c.runId, [line(4, "four")]);
      const four = await first.until((e) => e.event === "log");
      expect(four.at(-1)!.id).toBe("4");
      await first.close();
      // Lines written while disconnected; the browser reconnects with the last id it saw.
      await insertLogLines(t.conn, id, c.runId, [line(5, "five"), line(6, "six")]);
      const res = await GET(
        new Request(`http://127.0.0.1:3000/api/events?topics=run:${c.runId}:logs`, { headers: { cookie: `qtask_session=${auth}`, "last-event-id": "4" } }),
        { params: Promise.resolve({}) },
      );
      const again = new SseReader(res.body!);
      const resumed = await again.until((e) => e.event === "log" && json(e).seq === 6);
      expect(resumed.filter((e) => e.event === "log").map((e) => json(e).message)).toEqual(["five", "six"]);
      await closeRun(t.conn, id, c.runId, { kind: "succeeded", result: null }, 5);
      const end = await again.until((e) => e.event === "log_end");
      expect(end.filter((e) => e.event === "log").map((e) => json(e).message)).toEqual(["succeeded"]);
      expect(json(end.at(-1)!)).toEqual({ run_id: String(c.runId), status: "succeeded" });
      await again.close();
      // A malformed Last-Event-ID is the client's mistake: 400.
      const bad = await GET(
        new Request(`http://127.0.0.1:3000/api/events?topics=run:${c.runId}:logs`, { headers: { cookie: `qtask_session=${auth}`, "last-event-id": "x" } }),
        { params: Promise.resolve({}) },
      );
      expect(bad.status).toBe(400);
    });

    it("rolls a batch up as its tasks change", async () => {
      const { batchId, ids } = await enqueueMany(t.conn, registry, [{ type: "noop" }, { type: "noop" }, { type: "noop" }, { type: "noop" }].map((x) => ({ ...x, payload: {} })));
      const s = await open(`topics=batch:${batchId}`);
      const initial = await s.until((e) => e.event === "batch");
      // Exactly the answer of GET /api/tasks/batches/{id}.
      expect(json(initial.at(-1)!)).toEqual({ batch_id: batchId, total: 4, counts: expect.objectContaining({ queued: 4 }), progress: 0, eta_seconds: null, started_at: null });
      const c = await claimOne();
      expect(ids).toContain(c.id);
      await closeRun(t.conn, c.id, c.runId, { kind: "succeeded", result: null }, 5);
      const after = await s.until((e) => e.event === "batch" && json(e).counts.succeeded === 1);
      expect(json(after.at(-1)!).progress).toBe(25);
      await s.close();
    });

    it("says which schedules fired, and when one was changed", async () => {
      const s = await t.database.db.schedule.create({ data: { name: "evt-sched", taskType: "noop", kind: "interval", intervalSeconds: 60, enabled: false } });
      const r = await open("topics=schedules");
      await r.until((e) => e.event === "hello");
      await new Promise((res) => setTimeout(res, 1_100)); // past the first once-a-second check
      await enqueue(t.conn, registry, { type: "noop", queue: "evt", scheduleId: String(s.id) });
      const fired = await r.until((e) => e.event === "schedules" && json(e).schedule_ids.includes(String(s.id)), 5_000);
      expect(fired.length).toBeGreaterThan(0);
      await t.database.db.schedule.update({ where: { id: s.id }, data: { enabled: true } });
      await enqueue(t.conn, registry, { type: "noop", queue: "evt" }); // any commit wakes the hub
      await r.until((e) => e.event === "schedules", 5_000);
      await r.close();
    });

    it("feeds every web server: two hubs, each on its own connection as two processes would be, both get the change", async () => {
      const { EventHub } = await import("@/server/events/hub");
      const other = await openDatabase(t.url);
      const hubs = [new EventHub(t.database, t.conn), new EventHub(other, connOf(other.db, other.provider))];
      const got: string[][] = [[], []];
      try {
        for (const [i, hub] of hubs.entries())
          await hub.add(
            {
              topics: [{ kind: "tasks" }],
              filter: { queue: "two-webs" },
              logs: null,
              send: (event, data) => {
                if (event === "tasks") got[i].push(...(data as { items: { id: string }[] }).items.map((x) => x.id));
                return true;
              },
            },
            null,
          );
        const { id } = await enqueue(t.conn, registry, { type: "noop", queue: "two-webs" });
        await waitFor(() => got.every((g) => g.includes(String(id))), 10_000, "both hubs to see the new task");
      } finally {
        for (const hub of hubs) hub.close();
        await other.close();
      }
    });

    it("drops events for a client that stops reading and tells it to resync", async () => {
      const res = await callRoute(GET, "/api/events?topics=tasks", { auth });
      // Not reading: 30 events of 100 task changes (~25 KB each) overflow the 256 KiB buffer.
      for (let i = 0; i < 30; i++) {
        await enqueueMany(t.conn, registry, Array.from({ length: 100 }, () => ({ type: "noop", payload: {} })));
        await new Promise((r) => setTimeout(r, 120));
      }
      const reader = new SseReader(res.body!);
      const seen = await reader.until((e) => e.event === "resync", 15_000);
      // What fit in the buffer arrived; the rest was dropped, not queued.
      const delivered = seen.filter((e) => e.event === "tasks").reduce((n, e) => n + json(e).items.length, 0);
      expect(delivered).toBeGreaterThan(0);
      expect(delivered).toBeLessThan(3_000);
      await reader.close();
    });
  });
}
