/**
 * Drain throughput and the worker's memory: N waiting noop tasks, one worker process
 * (scripts/worker.ts, QTASK_CONCURRENCY=c), timed from the worker's "started:" line (this
 * process's clock, when the line arrived) to the finished_at of the last task (the database's
 * clock, mapped onto this process's clock by the measured offset; ~0 on one machine). The
 * bench watches with a cheap EXISTS every 50 ms and counts what is left once a second
 * (drainWatch). Each repetition: a fresh database and a new worker.
 */
import { clockOffsetMs, drainWatch, num, openRaw } from "../lib/db";
import { enqueueNoops, type Ctx } from "../lib/context";
import { explain, memoryOf, sampleRss, startWorker } from "../lib/procs";
import { progress, progressDone, say, sleep } from "../lib/log";
import { fmt } from "../lib/stats";

interface DrainRun {
  perSecond: number;
  /** Same, ended by the first poll that saw nothing left (includes up to one poll interval). */
  perSecondByPoll: number;
  seconds: number;
  peakRssMb: number;
  hwmMb: number;
  workerProblems: number;
  /** Set when some tasks did not succeed (the engine lost them); the run's throughput is then not a valid figure. */
  failure: string | null;
}

export async function drainOnce(ctx: Ctx, n: number, concurrency: number, label: string, maxRunning: number | null = null): Promise<DrainRun> {
  const db = await ctx.factory.fresh(`drain-c${concurrency}`);
  try {
    await enqueueNoops(db.url, n);
    const raw = await openRaw(db.url);
    try {
      // A cluster-wide limit on the queue: every claim takes the limited path (lock, count, claim).
      if (maxRunning !== null) await raw.exec(`INSERT INTO queue_controls (name, max_running) VALUES ('default', ${maxRunning})`);
      const { offsetMs } = await clockOffsetMs(raw);
      let problems = 0;
      const worker = await startWorker(db.url, { QTASK_CONCURRENCY: String(concurrency) });
      worker.proc.stdout?.on("data", (b: Buffer) => (problems += (b.toString().match(/failed|error/gi) ?? []).length));
      const rss = sampleRss(() => [worker.pid], 100);
      const watch = drainWatch(raw);
      let left = n;
      let lastChange = Date.now();
      let countedAt = 0;
      let hwmKb = 0;
      try {
        for (;;) {
          const busy = await watch.busy();
          hwmKb = Math.max(hwmKb, memoryOf(worker.pid)?.hwmKb ?? 0);
          if (!busy) break;
          if (Date.now() - countedAt >= 1_000) {
            countedAt = Date.now();
            const now = await watch.left();
            if (now !== left) {
              left = now;
              lastChange = Date.now();
              progress(`  [${ctx.provider}] ${label}: ${fmt(n - left)} / ${fmt(n)} done`);
            }
          }
          if (!worker.alive()) throw new Error(`the worker exited with ${left} tasks left\n${explain(worker)}`);
          if (Date.now() - lastChange > 120_000) throw new Error(`no progress for 2 minutes with ${left} tasks left\n${explain(worker)}`);
          await sleep(50);
        }
      } catch (err) {
        rss.stop();
        await worker.stop();
        throw err;
      } finally {
        progressDone();
      }
      const polledAt = Date.now();
      hwmKb = Math.max(hwmKb, memoryOf(worker.pid)?.hwmKb ?? 0);
      const peak = rss.stop();
      await worker.stop();
      const row = await raw.one<{ last: unknown; ok: unknown }>(
        `SELECT MAX(${raw.ms("finished_at")}) AS last, SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS ok FROM tasks`,
      );
      let failure: string | null = null;
      if (num(row.ok) !== n) {
        const how = await raw.all<{ status: string; n: unknown; error: string | null }>(
          `SELECT status, COUNT(*) AS n, MIN(error) AS error FROM tasks GROUP BY status`,
        );
        const runs = await raw.all<{ status: string; n: unknown; error: string | null }>(
          `SELECT status, COUNT(*) AS n, MIN(error) AS error FROM runs GROUP BY status`,
        );
        const show = (rows: typeof how) => rows.map((r) => `${r.status} ${num(r.n)}${r.error ? ` (e.g. ${r.error.slice(0, 160)})` : ""}`).join("; ");
        failure = `${label}: ${n - num(row.ok)} of ${n} tasks did not succeed — tasks: ${show(how)}; runs: ${show(runs)}\n${explain(worker)}`;
      }
      const seconds = (num(row.last) - offsetMs - worker.startedAt) / 1000;
      return {
        perSecond: n / seconds,
        perSecondByPoll: n / ((polledAt - worker.startedAt) / 1000),
        seconds,
        peakRssMb: peak.peakMb,
        hwmMb: hwmKb / 1024,
        workerProblems: problems,
        failure,
      };
    } finally {
      await raw.close();
    }
  } finally {
    await db.drop();
  }
}

/**
 * Drains at concurrency 10 and 50 on an unlimited queue (the one-statement claim), then at 10
 * on a queue with max_running 10 — what the limited claim costs (issue 24): the same work, but
 * each claim locks the queue's controls row and counts its running tasks first.
 */
export async function drain(ctx: Ctx): Promise<void> {
  for (const [c, limited] of [
    [10, false],
    [50, false],
    [10, true],
  ] as const) {
    const id = limited ? `drain.limited_c${c}` : `drain.c${c}`;
    const runs: DrainRun[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      const r = await drainOnce(ctx, ctx.v.drain, c, `${id} rep ${rep + 1}`, limited ? c : null);
      runs.push(r);
      if (r.failure) {
        ctx.report.fail(ctx.provider, "drain", new Error(r.failure));
        say(`  [${ctx.provider}] ${id} rep ${rep + 1}: NOT COUNTED — ${r.failure.split("\n")[0]}`);
        continue;
      }
      say(
        `  [${ctx.provider}] ${id} rep ${rep + 1}: ${fmt(r.perSecond)} tasks/s (${fmt(r.seconds)} s; peak RSS ${fmt(Math.max(r.hwmMb, r.peakRssMb))} MB)`,
      );
    }
    const valid = runs.filter((r) => !r.failure);
    if (valid.length === 0) continue;
    ctx.report.record(ctx.provider, id, valid.map((r) => r.perSecond), {
      tasks: ctx.v.drain,
      concurrency: c,
      max_running: limited ? c : null,
      runs,
      invalid_runs: runs.length - valid.length,
    });
  }
}

export async function workerMemory(ctx: Ctx): Promise<void> {
  const { memoryTasks: n, memoryConcurrency: c } = ctx.v;
  const runs: DrainRun[] = [];
  for (let rep = 0; rep < ctx.reps; rep++) {
    const r = await drainOnce(ctx, n, c, `memory (drain ${fmt(n)}, c=${c}) rep ${rep + 1}`);
    runs.push(r);
    if (r.failure) ctx.report.fail(ctx.provider, "memory", new Error(r.failure));
    say(`  [${ctx.provider}] worker memory rep ${rep + 1}: peak RSS ${fmt(Math.max(r.hwmMb, r.peakRssMb))} MB (${fmt(r.perSecond)} tasks/s)`);
  }
  ctx.report.record(
    ctx.provider,
    "memory.worker_peak",
    runs.map((r) => Math.max(r.hwmMb, r.peakRssMb)),
    { tasks: n, concurrency: c, source: "VmHWM of the worker process (threads included), and VmRSS sampled every 100 ms", runs },
  );
}
