/**
 * Latency from enqueue to the start of the task: a noop task (priority 900) is enqueued through
 * the engine in this process and its run's started_at (written by the claim, the moment the
 * worker takes the task, just before the handler is called) is compared with Date.now() taken
 * right before the enqueue call. started_at is the database's clock; it is mapped onto this
 * process's clock by an offset measured at the start of each repetition (the database is on
 * this machine: the offset is ~0). Both clocks have millisecond resolution, so figures are
 * ±1 ms.
 *
 * idle: the worker has nothing else to do. busy: 8 of its 10 slots are kept filled with
 * `sleep` tasks of 200 ms (enqueued again as they finish, at priority 100), so the worker
 * keeps claiming and closing runs while the probes arrive; 2 slots stay free for the probe.
 * One probe at a time, 10–30 ms apart, each waited for until it finished.
 */
import { enqueue, enqueueMany, registry, type Conn } from "../../src/qtask";
import { clockOffsetMs, num, openRaw, type RawDb } from "../lib/db";
import { withEngine, type Ctx } from "../lib/context";
import { explain, startWorker, type WorkerChild } from "../lib/procs";
import { progress, progressDone, say, sleep, waitUntil } from "../lib/log";
import { fmt, latencyPercentiles } from "../lib/stats";

const BG_SLOTS = 8;
const BG_BATCH = "bench-background";

/** Keeps BG_SLOTS background sleep tasks unfinished until stopped. */
function feeder(conn: Conn, raw: RawDb): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const open = num(
        (await raw.one<{ n: unknown }>(`SELECT COUNT(*) AS n FROM tasks WHERE batch_id = ? AND status IN ('queued', 'running')`, [BG_BATCH])).n,
      );
      if (open < BG_SLOTS) {
        await enqueueMany(
          conn,
          registry,
          Array.from({ length: BG_SLOTS - open }, () => ({ type: "sleep", payload: { ms: 200 }, priority: 100 })),
          { batchId: BG_BATCH },
        );
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function probes(ctx: Ctx, conn: Conn, raw: RawDb, worker: WorkerChild, label: string): Promise<{ fromCall: number[]; fromReturn: number[] }> {
  const { offsetMs } = await clockOffsetMs(raw);
  const fromCall: number[] = [];
  const fromReturn: number[] = [];
  try {
    for (let i = 0; i < ctx.v.latencySamples; i++) {
      await sleep(10 + Math.random() * 20);
      const t0 = Date.now();
      const { id } = await enqueue(conn, registry, { type: "noop", priority: 900 });
      const t1 = Date.now();
      const row = await waitUntil(
        async () => {
          if (!worker.alive()) throw new Error(`the worker exited\n${explain(worker)}`);
          const r = await raw.one<{ status: string; started: unknown }>(
            `SELECT t.status AS status, ${raw.ms("r.started_at")} AS started FROM tasks t LEFT JOIN runs r ON r.task_id = t.id WHERE t.id = ?`,
            [id],
          );
          return r && r.status !== "queued" && r.status !== "running" ? r : null;
        },
        { timeoutMs: 15_000, everyMs: 5, what: `probe task ${id} to finish` },
      );
      if (row.status !== "succeeded") throw new Error(`probe task ${id} ended ${row.status}`);
      const started = num(row.started) - offsetMs;
      fromCall.push(started - t0);
      fromReturn.push(started - t1);
      if (i % 10 === 9) progress(`  [${ctx.provider}] ${label}: ${i + 1} / ${ctx.v.latencySamples} samples`);
    }
  } finally {
    progressDone();
  }
  return { fromCall, fromReturn };
}

export async function latency(ctx: Ctx): Promise<void> {
  for (const mode of ["idle", "busy"] as const) {
    const reps: { p50: number; p95: number; p99: number; fromReturn: { p50: number; p95: number; p99: number } }[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      const db = await ctx.factory.fresh(`latency-${mode}`);
      const raw = await openRaw(db.url);
      try {
        const worker = await startWorker(db.url, { QTASK_CONCURRENCY: "10" });
        try {
          await withEngine(db.url, async (conn) => {
            const bg = mode === "busy" ? feeder(conn, raw) : null;
            try {
              if (bg) {
                await waitUntil(
                  async () =>
                    num((await raw.one<{ n: unknown }>(`SELECT COUNT(*) AS n FROM tasks WHERE batch_id = ? AND status = 'running'`, [BG_BATCH])).n) >=
                    BG_SLOTS,
                  { timeoutMs: 30_000, what: "the background tasks to run" },
                );
              }
              const s = await probes(ctx, conn, raw, worker, `latency ${mode} rep ${rep + 1}`);
              reps.push({ ...latencyPercentiles(s.fromCall), fromReturn: latencyPercentiles(s.fromReturn) });
            } finally {
              await bg?.stop();
            }
          });
        } finally {
          await worker.stop();
        }
      } finally {
        await raw.close();
        await db.drop();
      }
      const r = reps[rep];
      say(`  [${ctx.provider}] latency ${mode} rep ${rep + 1}: p50 ${fmt(r.p50)} ms, p95 ${fmt(r.p95)} ms, p99 ${fmt(r.p99)} ms`);
    }
    const details = { samples: ctx.v.latencySamples, clock: "run.started_at (database clock, offset-corrected) − Date.now() before enqueue()", reps };
    for (const p of ["p50", "p95", "p99"] as const) {
      ctx.report.record(
        ctx.provider,
        `latency.${mode}.${p}`,
        reps.map((r) => r[p]),
        p === "p50" ? details : undefined,
      );
    }
  }
}
