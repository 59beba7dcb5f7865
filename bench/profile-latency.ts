/**
 * Where the idle latency goes on PostgreSQL (issue 26), hop by hop, for profiling rather than
 * for the figures (`npm run bench` and the side-by-side harness give those). A producer in this
 * process enqueues one task at a time, 25–50 ms apart as the harness does, to a worker in a
 * child process (concurrency 10, queue default); each hop is timed on the machine's one clock
 * (performance.timeOrigin + now(), the same in both processes):
 *
 *   producer's JavaScript until its INSERT is sent · the enqueue call returning · the wake-up
 *   notification reaching the worker process (a LISTEN of its own there) · the claim sent and
 *   answered (none when the enqueue handed the task to the idle worker) · the handler called.
 *
 * QTASK_HANDOFF=0 (passed on to the worker) times the path without the hand-off.
 *
 * The claim's timing comes from wrapping pg.Pool's query in the child, which is why this is a
 * tool and not part of the engine. It then times a bare round trip (`SELECT 1`) back to back
 * and after 30 ms of idleness: on these VMs an idle round trip costs about twice a busy one,
 * and the latency path is three of them in a row (insert, notification, claim).
 *
 *   node --import tsx bench/profile-latency.ts [samples=200]
 *
 * PostgreSQL: BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/test.
 */
import { fork } from "node:child_process";
import pg from "pg";
import { z } from "zod";
import { DbFactory } from "./lib/db";
import { sleep } from "./lib/log";
import { cleanupAll } from "./lib/procs";
import { percentile } from "./lib/stats";
import { connOf, createWorker, defineTask, enqueue, loadConfig, openDatabase, Registry, type TaskContext } from "../src/qtask";
import { CHANGES_CHANNEL, WAKEUP_CHANNEL } from "../src/queue/sql/changes";

const now = () => performance.timeOrigin + performance.now();
/** One task type, `probe`, whose handler the caller supplies. */
const probeRegistry = (run: (ctx: TaskContext<Record<string, unknown>>) => Promise<null>) =>
  new Registry([
    defineTask({
      name: "probe",
      title: "probe",
      category: "demo",
      queue: "default",
      mode: "fast",
      timeoutMs: 60_000,
      maxAttempts: 1,
      schema: z.record(z.string(), z.unknown()),
      run,
    }),
  ]);

/** Calls `mark(start, end)` for each query whose text includes `marker`, on every pg pool of this process. */
function timePoolQueries(marker: string, mark: (start: number, end: number, rows: number) => void): void {
  const proto = pg.Pool.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    const out = original.apply(this, args);
    if (text?.includes(marker) && out instanceof Promise) {
      const start = now();
      out.then((r: { rowCount?: number | null }) => mark(start, now(), r?.rowCount ?? 0)).catch(() => undefined);
    }
    return out;
  };
}

interface Marks {
  notified?: number;
  claimSent?: number;
  claimAnswered?: number;
}

if (process.argv[2] === "--worker") {
  const url = process.argv[3];
  const marks: Marks = {};
  // The claim that took the probe: the last one that came back with rows before its handler ran.
  timePoolQueries("q0 AS MATERIALIZED", (start, end, rows) => {
    if (rows > 0) Object.assign(marks, { claimSent: start, claimAnswered: end });
  });
  // The wake-up, and the changes channel that a hand-off notifies at the same commit as the
  // worker's own channel (its name is the worker's secret); the first after the enqueue counts.
  const heard: number[] = [];
  const listener = new pg.Client({ connectionString: url });
  await listener.connect();
  listener.on("notification", () => heard.push(now()));
  await listener.query(`LISTEN ${WAKEUP_CHANNEL}; LISTEN ${CHANGES_CHANNEL}`);
  const database = await openDatabase(url);
  const registry = probeRegistry(async (ctx) => {
    const started = now();
    const t = ctx.payload.t as number;
    marks.notified = heard.find((h) => h >= t);
    // A claim answered before this enqueue was the previous task's (a handed task has none).
    if ((marks.claimAnswered ?? 0) < t) (delete marks.claimSent, delete marks.claimAnswered);
    process.send?.({ t, started, ...marks });
    for (const k of Object.keys(marks)) delete marks[k as keyof Marks];
    heard.length = 0;
    return null;
  });
  const config = loadConfig({ ...process.env, QTASK_CONCURRENCY: "10", QTASK_QUEUES: "default", QTASK_SCHEDULER_MS: "0" });
  await createWorker({ database, registry, config, log: () => undefined }).start();
  process.send?.({ ready: true });
} else {
  const samples = Number(process.argv[2] ?? 200);
  const pgUrl = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/test";
  const factory = new DbFactory("postgres", pgUrl);
  const db = await factory.fresh("latency-profile");
  const child = fork(new URL(import.meta.url).pathname, ["--worker", db.url], { execArgv: ["--import", "tsx"] });
  const inbox: Record<string, number>[] = [];
  let waiting: ((m: Record<string, number>) => void) | null = null;
  child.on("message", (m: Record<string, number>) => (waiting ? (waiting(m), (waiting = null)) : inbox.push(m)));
  const next = () => new Promise<Record<string, number>>((resolve) => (inbox.length ? resolve(inbox.shift()!) : (waiting = resolve)));
  await next();
  let sent = 0;
  timePoolQueries("INSERT INTO tasks", (start) => (sent = start));
  const database = await openDatabase(db.url);
  const conn = connOf(database.db, database.provider);
  const registry = probeRegistry(async () => null);
  await sleep(1_000);
  const hops: Record<string, number[]> = {};
  const add = (k: string, v: number) => (hops[k] ??= []).push(v);
  for (let i = 0; i < samples; i++) {
    await sleep(25 + Math.random() * 25);
    const t = now();
    await enqueue(conn, registry, { type: "probe", payload: { t } });
    const returned = now();
    const m = await next();
    add("producer's JavaScript until the INSERT is sent", sent - t);
    add("enqueue() returned", returned - t);
    if (m.notified !== undefined) add("notification reached the worker", m.notified - t);
    // Only tasks that were claimed (none when the enqueue handed the task to the worker).
    if (m.claimSent !== undefined) add("claim sent", m.claimSent - t);
    if (m.claimAnswered !== undefined) add("claim answered", m.claimAnswered - t);
    add("handler called", m.started - t);
  }
  console.log(
    `idle latency on PostgreSQL (QTASK_HANDOFF=${process.env.QTASK_HANDOFF ?? "1"}), ${samples} samples, ms after the enqueue call (p50 / p95, how many):`,
  );
  for (const [k, v] of Object.entries(hops))
    console.log(`  ${k.padEnd(48)} ${percentile(v, 50).toFixed(2)} / ${percentile(v, 95).toFixed(2)}  (${v.length})`);
  // A bare round trip, back to back and after 30 ms of idleness.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  for (const gap of [0, 30]) {
    const ts: number[] = [];
    for (let i = 0; i < 100; i++) {
      if (gap) await sleep(gap);
      const s = now();
      await c.query("SELECT 1");
      ts.push(now() - s);
    }
    console.log(`  SELECT 1 round trip, ${gap ? `after ${gap} ms idle` : "back to back"}: p50 ${percentile(ts, 50).toFixed(3)} ms`);
  }
  await c.end();
  child.kill();
  await database.close();
  await cleanupAll();
  process.exit(0);
}
