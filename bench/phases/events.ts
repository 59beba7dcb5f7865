/**
 * The event stream (GET /api/events) under load, through the real route handler in this
 * process (this process plays the web server: its hub, its streams, and the readers of those
 * streams, which a real server would not pay for — so the CPU figure is an upper bound):
 * - events.drain_plain / events.drain_streams: a drain of `eventsDrain` noop tasks by one worker
 *   (concurrency 10), with no stream open and with 50 streams watching `tasks,overview` — the
 *   stream must not cost the drain more than the noise between repetitions.
 * - events.latency.p50/p95: a task's change (its changed_at, the database clock) to the `tasks`
 *   event reaching a client, with 200 streams open, tasks enqueued one every 20 ms and run by a
 *   worker: measured on its "succeeded" change.
 * - events.cpu_idle / events.cpu_busy: this process's CPU with 200 open streams, quiet and
 *   during that trickle; events.rss_200: its RSS growth from opening the 200 streams.
 */
import { enqueue } from "../../src/queue/enqueue";
import { registry } from "../../src/tasks";
import type { RouteHandler } from "../../src/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "../../tests/integration/support/api";
import { clockOffsetMs, num, openRaw, drainWatch } from "../lib/db";
import { enqueueNoops, withEngine, type Ctx } from "../lib/context";
import { explain, startWorker } from "../lib/procs";
import { say, sleep, waitUntil } from "../lib/log";
import { fmt, percentile } from "../lib/stats";

/** An open stream read as fast as it comes; `onEvent` sees each parsed event (if given). */
async function openStream(handler: RouteHandler, session: string, topics: string, onEvent?: (event: string, data: string, at: number) => void) {
  const res = await callRoute(handler, `/api/events?topics=${topics}`, { auth: session });
  if (res.status !== 200) throw new Error(`GET /api/events: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let bytes = 0;
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || !value) return;
      bytes += value.byteLength;
      if (!onEvent) continue;
      const at = Date.now();
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const ev = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (ev && data) onEvent(ev, data, at);
      }
    }
  })();
  return { close: () => reader.cancel().catch(() => undefined), bytes: () => bytes };
}

export async function events(ctx: Ctx): Promise<void> {
  const db = await ctx.factory.fresh("events");
  const raw = await openRaw(db.url);
  const n = ctx.quick ? 5_000 : 20_000;
  try {
    const session = await withEngine(db.url, async (_c, database) => (await signedInUser(database.db, "bench-watcher", "viewer")).session);
    await useRouteDb(db.url);
    const handler = (await import("../../src/app/api/events/route")).GET as RouteHandler;
    const watch = drainWatch(raw);

    // The drain, without and with 50 listening clients (alternating, so drift hits both).
    const drainOnce = async (streams: number) => {
      await enqueueNoops(db.url, n);
      const open = await Promise.all(Array.from({ length: streams }, () => openStream(handler, session, "tasks,overview")));
      const { offsetMs } = await clockOffsetMs(raw);
      const worker = await startWorker(db.url, { QTASK_CONCURRENCY: "10" });
      try {
        await waitUntil(
          async () => {
            if (!worker.alive()) throw new Error(`the worker exited\n${explain(worker)}`);
            return !(await watch.busy());
          },
          { timeoutMs: 10 * 60_000, everyMs: 50, what: "the drain" },
        );
      } finally {
        await worker.stop();
      }
      const last = await raw.one<{ last: unknown }>(`SELECT MAX(${raw.ms("finished_at")}) AS last FROM tasks`);
      const rate = n / ((num(last.last) - offsetMs - worker.startedAt) / 1000);
      const bytes = open.reduce((s, o) => s + o.bytes(), 0);
      await Promise.all(open.map((o) => o.close()));
      await raw.exec(`DELETE FROM tasks`);
      return { rate, bytes };
    };
    const plain: number[] = [];
    const watched: number[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      const a = await drainOnce(0);
      const b = await drainOnce(50);
      plain.push(a.rate);
      watched.push(b.rate);
      say(`  [${ctx.provider}] drain of ${n}: ${fmt(a.rate)} tasks/s alone, ${fmt(b.rate)} tasks/s with 50 streams (${fmt(b.bytes / 1024)} KB of events)`);
    }
    ctx.report.record(ctx.provider, "events.drain_plain", plain, { tasks: n, concurrency: 10 });
    ctx.report.record(ctx.provider, "events.drain_streams", watched, { tasks: n, concurrency: 10, streams: 50 });

    // 200 streams: memory, idle CPU, then latency and CPU during a trickle of tasks.
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    const latencies: number[] = [];
    const enqueued = new Set<string>();
    const { offsetMs } = await clockOffsetMs(raw);
    const probe = await openStream(handler, session, "tasks", (event, data, at) => {
      if (event !== "tasks") return;
      for (const item of (JSON.parse(data) as { items: { id: string; status: string; changed_at: string }[] }).items)
        if (item.status === "succeeded" && enqueued.delete(item.id)) latencies.push(at - (Date.parse(item.changed_at) - offsetMs));
    });
    const others = await Promise.all(Array.from({ length: 199 }, (_, i) => openStream(handler, session, i % 2 ? "tasks,overview" : "overview")));
    await sleep(1_000);
    const rss = (process.memoryUsage().rss - rss0) / 1024 / 1024;
    const cpu0 = process.cpuUsage();
    const idleMs = 5_000;
    await sleep(idleMs);
    const idle = process.cpuUsage(cpu0);
    const cpuIdle = ((idle.user + idle.system) / 1000 / idleMs) * 100;
    const worker = await startWorker(db.url, { QTASK_CONCURRENCY: "10" });
    let cpuBusy = 0;
    try {
      await withEngine(db.url, async (conn) => {
        const count = ctx.quick ? 100 : 400;
        const c1 = process.cpuUsage();
        const t1 = Date.now();
        for (let i = 0; i < count; i++) {
          const { id } = await enqueue(conn, registry, { type: "noop" });
          enqueued.add(String(id));
          await sleep(20);
        }
        await waitUntil(() => enqueued.size === 0, { timeoutMs: 60_000, everyMs: 50, what: "every succeeded event" });
        const c = process.cpuUsage(c1);
        cpuBusy = ((c.user + c.system) / 1000 / (Date.now() - t1)) * 100;
      });
    } finally {
      await worker.stop();
      await probe.close();
      await Promise.all(others.map((o) => o.close()));
    }
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    say(
      `  [${ctx.provider}] 200 streams: +${fmt(rss)} MB RSS, CPU ${fmt(cpuIdle)} % idle, ${fmt(cpuBusy)} % with a task every 20 ms; change→event p50 ${fmt(p50)} ms, p95 ${fmt(p95)} ms (${latencies.length} tasks)`,
    );
    ctx.report.record(ctx.provider, "events.latency.p50", [p50], { samples: latencies.length, streams: 200 });
    ctx.report.record(ctx.provider, "events.latency.p95", [p95], { samples: latencies.length, streams: 200 });
    ctx.report.record(ctx.provider, "events.cpu_idle", [cpuIdle], { streams: 200 });
    ctx.report.record(ctx.provider, "events.cpu_busy", [cpuBusy], { streams: 200, task_every_ms: 20 });
    ctx.report.record(ctx.provider, "events.rss_200", [rss], { streams: 200 });
  } finally {
    (await import("../../src/server/events/hub")).closeHubs();
    await releaseRouteDb();
    await raw.close();
  }
}
