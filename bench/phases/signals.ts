/**
 * One signals_batch {"all": true} over the demo fund universe (src/demo/seed.ts seedFunds,
 * loaded once into the phase's database), wall time from just before the enqueue (this
 * process's clock) to the task's finished_at (database clock, offset-corrected), with one
 * worker at JOB_NUM=1 and at JOB_NUM=2. The worker stays up over the repetitions of one
 * JOB_NUM, so its compute threads start in the first repetition only (the median is warm).
 */
import { enqueue, registry } from "../../src/qtask";
import { seedFunds } from "../../src/demo/seed";
import { clockOffsetMs, num, openRaw } from "../lib/db";
import { withEngine, type Ctx } from "../lib/context";
import { explain, startWorker } from "../lib/procs";
import { say, waitUntil } from "../lib/log";
import { fmt } from "../lib/stats";

export async function signals(ctx: Ctx): Promise<void> {
  const db = await ctx.factory.fresh("signals");
  const raw = await openRaw(db.url);
  try {
    const t = Date.now();
    const funds = await withEngine(db.url, (_conn, database) => seedFunds(database.db, ctx.v.signalsFunds));
    say(`  [${ctx.provider}] loaded ${fmt(funds)} demo funds in ${fmt((Date.now() - t) / 1000)} s`);
    for (const jobNum of [1, 2]) {
      const worker = await startWorker(db.url, { JOB_NUM: String(jobNum) });
      const walls: number[] = [];
      try {
        await withEngine(db.url, async (conn) => {
          for (let rep = 0; rep < ctx.reps; rep++) {
            const { offsetMs } = await clockOffsetMs(raw);
            const t0 = Date.now();
            const { id } = await enqueue(conn, registry, { type: "signals_batch", payload: { all: true } });
            const row = await waitUntil(
              async () => {
                if (!worker.alive()) throw new Error(`the worker exited\n${explain(worker)}`);
                const r = await raw.one<{ status: string; finished: unknown; nrows: unknown }>(
                  `SELECT status, ${raw.ms("finished_at")} AS finished, (SELECT COUNT(*) FROM result_rows WHERE task_id = ?) AS nrows FROM tasks WHERE id = ?`,
                  [id, id],
                );
                return r.status !== "queued" && r.status !== "running" ? r : null;
              },
              { timeoutMs: 15 * 60_000, everyMs: 50, what: `signals_batch task ${id}` },
            );
            if (row.status !== "succeeded") throw new Error(`signals_batch task ${id} ended ${row.status}\n${explain(worker)}`);
            if (num(row.nrows) !== funds) throw new Error(`signals_batch task ${id} wrote ${num(row.nrows)} result rows for ${funds} funds`);
            walls.push((num(row.finished) - offsetMs - t0) / 1000);
            say(`  [${ctx.provider}] signals JOB_NUM=${jobNum} rep ${rep + 1}: ${fmt(walls[rep])} s`);
          }
        });
      } finally {
        await worker.stop();
      }
      ctx.report.record(ctx.provider, `signals.job${jobNum}`, walls, { funds, job_num: jobNum });
    }
  } finally {
    await raw.close();
    await db.drop();
  }
}
