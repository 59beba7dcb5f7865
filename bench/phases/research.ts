/**
 * The research workspace at sweep size, through the real route handlers called in this process
 * (the code behind the HTTP routes, without the HTTP framing; signed in as an admin so the
 * enqueue quota does not interfere):
 * - research.backtests: real backtests drained by one worker (JOB_NUM=2) — a sweep of
 *   `researchFunds` demo funds × 50 combinations, from just before the POST to the last
 *   finished_at. Each backtest now writes its figures as one result row too: this is its cost.
 * - research.sweep_create: POST /api/backtests/sweeps making 10,000 tasks in one transaction.
 * - research.sweep_page / research.history: GET /api/backtests/sweeps/{id} (heatmap, leaderboard,
 *   robustness) and GET /api/backtests/batches (first page) with 10,000 finished runs, each
 *   holding a real backtest's full result (equity curve and trades) and its figures row.
 */
import { seedFunds } from "../../src/demo/seed";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "../../tests/integration/support/api";
import type { RouteHandler } from "../../src/server/route";
import { clockOffsetMs, num, openRaw } from "../lib/db";
import { withEngine, type Ctx } from "../lib/context";
import { explain, startWorker } from "../lib/procs";
import { say, waitUntil } from "../lib/log";
import { fmt, percentile } from "../lib/stats";

/** 40 × 5 = 200 combinations, every one valid (ma_short < 60 ≤ ma_long). */
const BIG_SWEEP = { ma_short: { from: 2, to: 41, step: 1 }, ma_long: [60, 90, 120, 180, 250] };
/** 10 × 5 = 50 combinations. */
const SMALL_SWEEP = { ma_short: { from: 2, to: 11, step: 1 }, ma_long: [30, 60, 90, 120, 250] };

export async function research(ctx: Ctx): Promise<void> {
  const db = await ctx.factory.fresh("research");
  const raw = await openRaw(db.url);
  try {
    const { codes, session } = await withEngine(db.url, async (_conn, database) => {
      await seedFunds(database.db, 50);
      const funds = await database.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true }, orderBy: { code: "asc" } });
      return { codes: funds.map((f) => f.code), session: (await signedInUser(database.db, "bench-researcher", "admin")).session };
    });
    await useRouteDb(db.url);
    const routes = {
      sweep: (await import("../../src/app/api/backtests/sweeps/route")).POST as RouteHandler,
      summary: (await import("../../src/app/api/backtests/sweeps/[batch_id]/route")).GET as RouteHandler,
      history: (await import("../../src/app/api/backtests/batches/route")).GET as RouteHandler,
    };
    const post = async (fundCodes: string[], sweep: unknown) => {
      const res = await callRoute(routes.sweep, "/api/backtests/sweeps", {
        auth: session,
        body: { fund_codes: fundCodes, strategy: "ma_cross", start: "2021-01-04", sweep },
      });
      const body = (await res.json()) as { batch_id: string; task_ids: string[] };
      if (res.status !== 201) throw new Error(`POST /api/backtests/sweeps: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return body;
    };

    // Real backtests through one worker.
    const small = codes.slice(0, ctx.quick ? 4 : 20);
    const worker = await startWorker(db.url, { JOB_NUM: "2" });
    const rates: number[] = [];
    let template: { id: number } | null = null;
    try {
      for (let rep = 0; rep < ctx.reps; rep++) {
        const { offsetMs } = await clockOffsetMs(raw);
        const t0 = Date.now();
        const { batch_id, task_ids } = await post(small, SMALL_SWEEP);
        const done = await waitUntil(
          async () => {
            if (!worker.alive()) throw new Error(`the worker exited\n${explain(worker)}`);
            const r = await raw.one<{ left: unknown; last: unknown }>(
              `SELECT SUM(CASE WHEN status IN ('queued', 'running') THEN 1 ELSE 0 END) AS "left", MAX(${raw.ms("finished_at")}) AS "last" FROM tasks WHERE batch_id = ?`,
              [batch_id],
            );
            return num(r.left) === 0 ? r : null;
          },
          { timeoutMs: 30 * 60_000, everyMs: 100, what: `sweep ${batch_id}` },
        );
        const failed = await raw.one<{ n: unknown }>(`SELECT COUNT(*) AS n FROM tasks WHERE batch_id = ? AND status <> 'succeeded'`, [batch_id]);
        if (num(failed.n) > 0) throw new Error(`${num(failed.n)} backtests of ${batch_id} did not succeed`);
        const seconds = (num(done.last) - offsetMs - t0) / 1000;
        rates.push(task_ids.length / seconds);
        template ??= { id: Number(task_ids[task_ids.length - 1]) };
        say(`  [${ctx.provider}] ${task_ids.length} backtests rep ${rep + 1}: ${fmt(seconds)} s, ${fmt(rates[rep])} backtests/s`);
      }
    } finally {
      await worker.stop();
    }
    ctx.report.record(ctx.provider, "research.backtests", rates, { funds: small.length, combinations: 50, job_num: 2 });

    // 10,000-task sweeps (no worker: they stay queued until filled in below).
    const creates: number[] = [];
    const sweeps: string[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      const t0 = performance.now();
      const { batch_id, task_ids } = await post(codes, BIG_SWEEP);
      creates.push(performance.now() - t0);
      if (task_ids.length !== 10_000) throw new Error(`the sweep made ${task_ids.length} tasks, not 10,000`);
      sweeps.push(batch_id);
      say(`  [${ctx.provider}] POST a 10,000-task sweep rep ${rep + 1}: ${fmt(creates[rep])} ms`);
    }
    ctx.report.record(ctx.provider, "research.sweep_create", creates, { tasks: 10_000 });

    // The first sweep finished: every run holds a real backtest's result and figures row (Sharpe varied).
    const real = await raw.one<{ result: string }>(`SELECT result FROM tasks WHERE id = ?`, [template!.id]);
    const row = JSON.parse((await raw.one<{ data: string }>(`SELECT data FROM result_rows WHERE task_id = ?`, [template!.id])).data) as Record<string, unknown>;
    await raw.exec(`UPDATE tasks SET status = 'succeeded', progress = 100, result = ? WHERE batch_id = ?`, [real.result, sweeps[0]]);
    const members = await raw.all<{ id: unknown; payload: string }>(`SELECT id, payload FROM tasks WHERE batch_id = ?`, [sweeps[0]]);
    for (let i = 0; i < members.length; i += 500) {
      const chunk = members.slice(i, i + 500);
      const values = chunk.flatMap((m) => {
        const code = (JSON.parse(m.payload) as { fund_code: string }).fund_code;
        return [num(m.id), code, 0, JSON.stringify({ ...row, fund_code: code, sharpe: Math.sin(num(m.id)) })];
      });
      await raw.exec(`INSERT INTO result_rows (task_id, row_key, run_id, data) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`, values);
    }
    say(`  [${ctx.provider}] filled ${members.length} runs with a ${fmt(real.result.length / 1024)} KB result each`);

    const time = async (handler: RouteHandler, path: string, params?: Record<string, string>) => {
      const t0 = performance.now();
      const res = await callRoute(handler, path, { auth: session, params });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
      return performance.now() - t0;
    };
    const page = `/api/backtests/sweeps/${sweeps[0]}?metric=sharpe`;
    const pages: Record<"sweep_page" | "history", { p50: number[]; p95: number[] }> = {
      sweep_page: { p50: [], p95: [] },
      history: { p50: [], p95: [] },
    };
    for (let i = 0; i < 3; i++) await time(routes.summary, page, { batch_id: sweeps[0] }); // warm-up
    for (let rep = 0; rep < ctx.reps; rep++) {
      for (const key of ["sweep_page", "history"] as const) {
        const samples: number[] = [];
        for (let i = 0; i < Math.min(ctx.v.apiSamples, 20); i++)
          samples.push(
            key === "sweep_page"
              ? await time(routes.summary, page, { batch_id: sweeps[0] })
              : await time(routes.history, "/api/backtests/batches?limit=20"),
          );
        pages[key].p50.push(percentile(samples, 50));
        pages[key].p95.push(percentile(samples, 95));
      }
      say(`  [${ctx.provider}] sweep page p95 ${fmt(pages.sweep_page.p95[rep])} ms, history p95 ${fmt(pages.history.p95[rep])} ms (10,000 runs)`);
    }
    for (const key of ["sweep_page", "history"] as const) {
      ctx.report.record(ctx.provider, `research.${key}.p50`, pages[key].p50, { runs: 10_000 });
      ctx.report.record(ctx.provider, `research.${key}.p95`, pages[key].p95, { runs: 10_000 });
    }
  } finally {
    await releaseRouteDb();
    await raw.close();
    await db.drop();
  }
}
