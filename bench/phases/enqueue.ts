/**
 * Enqueue throughput: one task at a time and in bulk, through the engine's API in this process
 * (src/queue/enqueue.ts) and through the running app's POST /api/tasks and /api/tasks/batch.
 * Each repetition of the engine figures uses a fresh database; the HTTP figures share one app
 * (and its database) over their repetitions. Every figure counts the rows afterwards.
 */
import { enqueue, enqueueMany, registry } from "../../src/qtask";
import { num, openRaw } from "../lib/db";
import { withEngine, type Ctx } from "../lib/context";
import { startApp } from "../lib/app";
import { say } from "../lib/log";
import { fmt, percentile } from "../lib/stats";

async function countTasks(url: string): Promise<number> {
  const raw = await openRaw(url);
  try {
    return num((await raw.one<{ n: unknown }>("SELECT COUNT(*) AS n FROM tasks")).n);
  } finally {
    await raw.close();
  }
}

export async function engineEnqueue(ctx: Ctx): Promise<void> {
  const { v } = ctx;
  const single: number[] = [];
  const bulk: number[] = [];
  for (let rep = 0; rep < ctx.reps; rep++) {
    const db = await ctx.factory.fresh("enqueue");
    try {
      await withEngine(db.url, async (conn) => {
        // Warm-up (not measured): the first statements prepare the client.
        for (let i = 0; i < 20; i++) await enqueue(conn, registry, { type: "noop" });
        await enqueueMany(conn, registry, [{ type: "noop" }, { type: "noop" }]);
        let t0 = performance.now();
        for (let i = 0; i < v.enqueueSingle; i++) await enqueue(conn, registry, { type: "noop" });
        single.push(v.enqueueSingle / ((performance.now() - t0) / 1000));
        t0 = performance.now();
        for (let i = 0; i < v.enqueueBulk; i += v.bulkBatch) {
          await enqueueMany(
            conn,
            registry,
            Array.from({ length: Math.min(v.bulkBatch, v.enqueueBulk - i) }, () => ({ type: "noop" })),
          );
        }
        bulk.push(v.enqueueBulk / ((performance.now() - t0) / 1000));
      });
      const n = await countTasks(db.url);
      const expected = 22 + v.enqueueSingle + v.enqueueBulk;
      if (n !== expected) throw new Error(`expected ${expected} tasks after enqueueing, found ${n}`);
      say(`  [${ctx.provider}] engine enqueue rep ${rep + 1}: one at a time ${fmt(single[rep])}/s, bulk ${fmt(bulk[rep])}/s`);
    } finally {
      await db.drop();
    }
  }
  ctx.report.record(ctx.provider, "enqueue.engine_single", single, { tasks: v.enqueueSingle });
  ctx.report.record(ctx.provider, "enqueue.engine_bulk", bulk, { tasks: v.enqueueBulk, per_call: v.bulkBatch });
}

export async function httpEnqueue(ctx: Ctx): Promise<void> {
  const { v } = ctx;
  const db = await ctx.factory.fresh("http-enqueue");
  say(`  [${ctx.provider}] starting the app (launcher, web only) for the HTTP enqueue figures…`);
  const app = await startApp(db.url);
  ctx.report.note(ctx.provider, "http_enqueue_app_built_next", app.built);
  try {
    const post = async (p: string, body: unknown) => {
      const r = await app.request("POST", p, body);
      if (r.status !== 201) throw new Error(`POST ${p}: ${r.status} ${r.text.slice(0, 300)}`);
    };
    const batchOf = (n: number) => ({ tasks: Array.from({ length: n }, () => ({ type: "noop" })) });
    // Warm-up (not measured): the first requests load the route modules.
    for (let i = 0; i < 20; i++) await post("/api/tasks", { type: "noop" });
    await post("/api/tasks/batch", batchOf(10));
    // A baseline: a signed-in request that touches no task (framework and authentication only).
    const me: number[] = [];
    for (let i = 0; i < 20; i++) me.push((await app.request("GET", "/api/auth/me")).ms);
    ctx.report.note(ctx.provider, "http_baseline_auth_me_p50_ms", percentile(me, 50));
    let expected = 30;
    const single: number[] = [];
    const bulk: number[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      let t0 = performance.now();
      for (let i = 0; i < v.httpSingle; i++) await post("/api/tasks", { type: "noop" });
      single.push(v.httpSingle / ((performance.now() - t0) / 1000));
      t0 = performance.now();
      for (let i = 0; i < v.httpBulk; i += v.bulkBatch) await post("/api/tasks/batch", batchOf(Math.min(v.bulkBatch, v.httpBulk - i)));
      bulk.push(v.httpBulk / ((performance.now() - t0) / 1000));
      expected += v.httpSingle + v.httpBulk;
      say(`  [${ctx.provider}] HTTP enqueue rep ${rep + 1}: one at a time ${fmt(single[rep])}/s, bulk ${fmt(bulk[rep])}/s`);
    }
    const n = await countTasks(db.url);
    if (n !== expected) throw new Error(`expected ${expected} tasks after the HTTP enqueues, found ${n}`);
    ctx.report.record(ctx.provider, "enqueue.http_single", single, { tasks: v.httpSingle, sequential: true });
    ctx.report.record(ctx.provider, "enqueue.http_bulk", bulk, { tasks: v.httpBulk, per_call: v.bulkBatch });
  } finally {
    await app.stop();
    await db.drop();
  }
}
