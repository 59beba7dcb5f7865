/**
 * The hand-off (PostgreSQL): an idle worker offers a slot, and a task enqueued on its own is
 * leased to that worker by the enqueue statement itself and started without a claim. Real
 * workers in this process, the real database, its advisory locks and notifications.
 */
import pg from "pg";
import { z } from "zod";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "@/db/dialect";
import { loadConfig } from "@/queue/config";
import { defineTask, Registry } from "@/queue/registry";
import { insertTasks, type TaskInsert } from "@/queue/sql/enqueue";
import { CHANGES_CHANNEL, WAKEUP_CHANNEL } from "@/queue/sql/changes";
import { execute, query } from "@/queue/sql/executor";
import { OFFER_LOCK_CLASS } from "@/queue/sql/handoff";
import { setPaused } from "@/queue/sql/queueControls";
import { createWorker, type QueueWorker } from "@/worker/worker";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker } from "./support/processes";

const available = providers().find((p) => p.kind === "postgres")?.available ?? false;

/** One queued task of type `type` due now, as prepareTask makes it. */
const row = (type: string, payload: unknown = {}): TaskInsert => ({
  type,
  queue: "default",
  payload: JSON.stringify(payload),
  priority: 500,
  runAt: null,
  delayMs: 0,
  maxAttempts: 1,
  timeoutMs: 60_000,
  batchId: null,
  idempotencyKey: null,
  parentId: null,
  scheduleId: null,
  createdBy: null,
});

describe.skipIf(!available)("hand-off on postgres", () => {
  let t: TestDb;
  const workers: QueueWorker[] = [];
  /** Handler calls running now, the most seen at once, and every payload seen, by task type. */
  let running = 0;
  let mostRunning = 0;
  let payloads: unknown[] = [];
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const registry = new Registry([
    defineTask({
      name: "quick",
      title: "quick",
      category: "demo",
      queue: "default",
      mode: "fast",
      timeoutMs: 60_000,
      maxAttempts: 1,
      schema: z.record(z.string(), z.any()),
      run: async (ctx) => {
        running++;
        mostRunning = Math.max(mostRunning, running);
        payloads.push(ctx.payload);
        await gate;
        running--;
        return null;
      },
    }),
  ]);

  const start = async (env: Record<string, string> = {}, concurrency = 4) => {
    const config = loadConfig({ QTASK_QUEUES: "default", QTASK_SCHEDULER_MS: "0", ...env }, { concurrency });
    const w = createWorker({ database: t.database, registry, config, log: () => undefined });
    workers.push(w);
    await w.start();
    return w;
  };
  const offers = () =>
    query<{ worker_id: string; lock_key: number; channel: string }>(t.conn, sql`SELECT worker_id, lock_key, channel FROM worker_offers`);
  const offerOf = (w: QueueWorker) => waitFor(async () => (await offers()).find((o) => o.worker_id === w.id), 10_000, `an offer of ${w.id}`);
  const task = async (id: number) =>
    (
      await query<{ status: string; worker_id: string | null; attempts: number }>(
        t.conn,
        sql`SELECT status, worker_id, attempts FROM tasks WHERE id = ${id}`,
      )
    )[0];
  const succeeded = (id: number) => waitFor(async () => (await task(id)).status === "succeeded", 20_000, `task ${id} succeeded`);

  beforeEach(async () => {
    t = await freshDb("postgres");
    running = 0;
    mostRunning = 0;
    payloads = [];
    gate = Promise.resolve();
  });
  afterEach(async () => {
    open();
    for (const w of workers.splice(0)) await w.stop(1_000);
    await t.drop();
  });

  it("leases a task to an idle worker in its enqueue, which starts it without claiming", async () => {
    const w = await start();
    await offerOf(w);
    const [out] = await insertTasks(t.conn, [row("quick", { n: 1 })]);
    expect(out.handedTo).toBe(w.id);
    // Written as a claim writes it, by the enqueue itself: no claim could have come in between.
    const [run] = await query<{ worker_id: string; status: string; attempt: number }>(
      t.conn,
      sql`SELECT r.worker_id, r.status, r.attempt FROM runs r JOIN tasks t ON t.run_id = r.id WHERE t.id = ${out.id}`,
    );
    expect(run).toMatchObject({ worker_id: w.id, attempt: 1 });
    await succeeded(out.id);
    expect(payloads).toEqual([{ n: 1 }]);
    expect(await query(t.conn, sql`SELECT id FROM runs WHERE task_id = ${out.id}`)).toHaveLength(1);
    // Idle again: it offers again, and the next task is handed to it too.
    await offerOf(w);
    const [next] = await insertTasks(t.conn, [row("quick", { n: 2 })]);
    expect(next.handedTo).toBe(w.id);
    await succeeded(next.id);
  });

  it("hands off nothing of a paused queue, nothing delayed or keyed, and nothing in bulk", async () => {
    const w = await start();
    await offerOf(w);
    const bulk = await insertTasks(t.conn, [row("quick"), row("quick")]);
    const delayed = await insertTasks(t.conn, [{ ...row("quick"), delayMs: 60_000 }]);
    expect([...bulk, ...delayed].map((o) => o.handedTo)).toEqual([undefined, undefined, undefined]);
    for (const o of bulk) await succeeded(o.id);
    await offerOf(w);
    const keyed = await insertTasks(t.conn, [{ ...row("quick"), idempotencyKey: "k1" }]);
    expect(keyed[0].handedTo).toBeUndefined();
    await succeeded(keyed[0].id);
    await offerOf(w);
    await setPaused(t.conn, "default", true, "test");
    const [paused] = await insertTasks(t.conn, [row("quick")]);
    expect(paused.handedTo).toBeUndefined();
    expect((await task(paused.id)).status).toBe("queued");
    await setPaused(t.conn, "default", false, "test");
    await succeeded(paused.id);
  });

  it("never hands a task to a worker that is gone: its offer is deleted and the task queued", async () => {
    // An offer whose lock no session holds: its worker died without withdrawing it.
    await execute(
      t.conn,
      sql`INSERT INTO worker_offers (worker_id, queues, lease_ms, lock_key, channel) VALUES ('dead-1', ',default,', 30000, 12345, 'qtask_w_dead')`,
    );
    const [out] = await insertTasks(t.conn, [row("quick")]);
    expect(out.handedTo).toBeUndefined();
    expect(await task(out.id)).toMatchObject({ status: "queued", worker_id: null, attempts: 0 });
    expect(await offers()).toEqual([]);
  });

  it("takes an offer once: concurrent enqueues never run more than the worker's concurrency", async () => {
    gate = new Promise<void>((r) => (open = r));
    const w = await start({}, 1);
    await offerOf(w);
    const outs = (await Promise.all(Array.from({ length: 6 }, (_, i) => insertTasks(t.conn, [row("quick", { i })])))).flat();
    expect(outs.filter((o) => o.handedTo === w.id)).toHaveLength(1);
    await waitFor(() => running === 1, 10_000, "the handed task running");
    open();
    for (const o of outs) await succeeded(o.id);
    expect(mostRunning).toBe(1);
  });

  it("reads a task too large for a notification by its ids", async () => {
    const w = await start();
    await offerOf(w);
    const big = { text: "x".repeat(20_000) };
    const [out] = await insertTasks(t.conn, [row("quick", big)]);
    expect(out.handedTo).toBe(w.id);
    await succeeded(out.id);
    expect(payloads).toEqual([big]);
  });

  it("adopts a task handed to it whose notification it missed, once it listens again", async () => {
    const w = await start();
    const offer = await offerOf(w);
    // A hand-off whose notification is lost: the task leased to the worker, the offer taken, no message.
    const [{ id }] = await query<{ id: number }>(
      t.conn,
      sql`WITH ins AS (
            INSERT INTO tasks (type, queue, status, attempts, max_attempts, worker_id, run_id, started_at, lease_expires_at)
            VALUES ('quick', 'default', 'running', 1, 1, ${w.id}, nextval('runs_id_seq')::int, now(), now() + interval '30 seconds')
            RETURNING id, run_id, worker_id
          ),
          opened AS (INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at) SELECT run_id, id, 1, 1, worker_id, 'running', now() FROM ins),
          taken AS (DELETE FROM worker_offers WHERE worker_id = ${w.id})
          SELECT id FROM ins`,
    );
    // Its listening session ends (the lock it held shows which one); the worker listens again and looks.
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND granted`,
        [OFFER_LOCK_CLASS, offer.lock_key],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await succeeded(id);
    expect(payloads).toHaveLength(1);
  });

  it("keeps a slot for a taken offer's task while it claims, and fetches the task if its message is late", async () => {
    gate = new Promise<void>((r) => (open = r));
    const w = await start({}, 1);
    await offerOf(w);
    // The offer taken without a message, then other work enqueued: the worker's withdraw finds
    // the offer gone, so its one slot waits for the handed task instead of claiming the others.
    const [{ id }] = await query<{ id: number }>(
      t.conn,
      sql`WITH ins AS (
            INSERT INTO tasks (type, queue, payload, status, attempts, max_attempts, worker_id, run_id, started_at, lease_expires_at)
            VALUES ('quick', 'default', '{"handed":true}', 'running', 1, 1, ${w.id}, nextval('runs_id_seq')::int, now(), now() + interval '30 seconds')
            RETURNING id, run_id, worker_id
          ),
          opened AS (INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at) SELECT run_id, id, 1, 1, worker_id, 'running', now() FROM ins),
          taken AS (DELETE FROM worker_offers WHERE worker_id = ${w.id})
          SELECT id FROM ins`,
    );
    const others = await insertTasks(t.conn, [row("quick", { i: 1 }), row("quick", { i: 2 })]);
    await waitFor(() => running === 1, 10_000, "the handed task running");
    expect(payloads).toEqual([{ handed: true }]);
    open();
    await succeeded(id);
    for (const o of others) await succeeded(o.id);
    expect(mostRunning).toBe(1);
  });

  it("hands a worker that froze after offering one task at most, back in the queue once its short first lease runs out", async () => {
    // A worker process whose session stays up while the process is stopped: to the database it
    // looks alive, so its standing offer can be taken.
    const frozen = await startWorker(t.url, { QTASK_QUEUES: "default", QTASK_SCHEDULER_MS: "0" });
    try {
      const offer = await waitFor(async () => (await offers()).find((o) => o.worker_id.includes(`-${frozen.proc.pid}-`)), 20_000, "its offer");
      frozen.proc.kill("SIGSTOP");
      const [first] = await insertTasks(t.conn, [{ ...row("quick"), maxAttempts: 3 }]);
      const [second] = await insertTasks(t.conn, [row("quick")]);
      expect(first.handedTo).toBe(offer.worker_id);
      // The offer was one slot.
      expect(second.handedTo).toBeUndefined();
      // Three heartbeats (3 × 500 ms here), not the 3 s lease: then any worker's rescue takes it back.
      const [lease] = await query<{ ms: unknown }>(
        t.conn,
        sql`SELECT EXTRACT(EPOCH FROM (lease_expires_at - started_at)) * 1000 AS ms FROM tasks WHERE id = ${first.id}`,
      );
      expect(Number(lease.ms)).toBe(1500);
      await start({ QTASK_RESCUE_MS: "500" });
      await succeeded(second.id);
      await succeeded(first.id);
      const runs = await query<{ status: string }>(t.conn, sql`SELECT status FROM runs WHERE task_id = ${first.id} ORDER BY id`);
      expect(runs.map((r) => r.status)).toEqual(["lost", "succeeded"]);
    } finally {
      await frozen.stop("SIGKILL");
    }
  });

  it("tells web servers of a handed task on the changes channel, and wakes no worker", async () => {
    // What a web server's event stream listens to (besides a 2 s safety poll).
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.channel));
    await listener.query(`LISTEN ${CHANGES_CHANNEL}; LISTEN ${WAKEUP_CHANNEL}`);
    try {
      // The handler holds the task running, so no close (which also signals) can be what is heard.
      gate = new Promise<void>((r) => (open = r));
      const w = await start();
      await offerOf(w);
      heard.length = 0;
      const [out] = await insertTasks(t.conn, [row("quick")]);
      expect(out.handedTo).toBe(w.id);
      await waitFor(() => running === 1, 10_000, "the handed task running");
      await waitFor(() => heard.includes(CHANGES_CHANNEL), 5_000, "a notification on the changes channel");
      expect(heard).not.toContain(WAKEUP_CHANNEL);
    } finally {
      await listener.end();
    }
  });

  it("withdraws its offer when it stops, and offers nothing with QTASK_HANDOFF=0", async () => {
    const w = await start();
    await offerOf(w);
    await w.stop();
    expect(await offers()).toEqual([]);
    const off = await start({ QTASK_HANDOFF: "0" });
    const [out] = await insertTasks(t.conn, [row("quick")]);
    expect(out.handedTo).toBeUndefined();
    await succeeded(out.id);
    expect(await offers()).toEqual([]);
    expect(off.id).toBeTruthy();
  });
});
