/**
 * Parameter sweeps through the real route handlers on both databases: one task per (fund,
 * combination) in one transaction, the size cap (400, nothing written), the rolled-up figures
 * against a hand computation, cancelling the batch, and re-running it over another window.
 */
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

const FUNDS = ["000001", "000002", "000003", "000004", "000005"];

/**
 * Counts the tasks over and over from another thread with its own connection (on SQLite an
 * in-process reader would never get a turn while the handler's statements run), until stopped.
 */
function countingReader(url: string): { started: Promise<void>; stop(): Promise<number[]> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData } = require("node:worker_threads");
    const { url, flag } = workerData;
    const counts = [];
    const done = () => Atomics.load(flag, 0) === 1;
    (async () => {
      if (url.startsWith("file:")) {
        const db = new (require("better-sqlite3"))(url.slice(5), { readonly: true });
        const count = db.prepare("SELECT count(*) AS n FROM tasks");
        parentPort.postMessage("started");
        while (!done()) counts.push(count.get().n);
        db.close();
      } else {
        const client = new (require("pg").Client)({ connectionString: url });
        await client.connect();
        parentPort.postMessage("started");
        while (!done()) counts.push(Number((await client.query("SELECT count(*) AS n FROM tasks")).rows[0].n));
        await client.end();
      }
      parentPort.postMessage(counts);
    })();
    `,
    { eval: true, workerData: { url, flag } },
  );
  let started: () => void = () => undefined;
  let finished: (c: number[]) => void = () => undefined;
  worker.on("message", (m) => (m === "started" ? started() : finished(m as number[])));
  return {
    started: new Promise((r) => (started = r)),
    stop: () => {
      const out = new Promise<number[]>((r) => (finished = r));
      Atomics.store(flag, 0, 1);
      return out.finally(() => worker.terminate());
    },
  };
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`parameter sweeps on ${kind}`, () => {
    let t: TestDb;
    let auth = "";
    let h: Record<"sweep" | "summary" | "cancel" | "rerun" | "history" | "csv", RouteHandler>;
    let sweepId = "";
    const post = async (handler: RouteHandler, path: string, body: unknown, params?: Record<string, string>) => {
      const res = await callRoute(handler, path, { auth, body, params });
      return { status: res.status, body: await res.json() };
    };
    const summary = async (query = "") => {
      const res = await callRoute(h.summary, `/api/backtests/sweeps/${sweepId}${query}`, { auth, params: { batch_id: sweepId } });
      return { status: res.status, body: await res.json() };
    };
    const taskCount = () => t.database.db.task.count();

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      h = {
        sweep: (await import("@/app/api/backtests/sweeps/route")).POST as RouteHandler,
        summary: (await import("@/app/api/backtests/sweeps/[batch_id]/route")).GET as RouteHandler,
        cancel: (await import("@/app/api/tasks/batches/[batch_id]/cancel/route")).POST as RouteHandler,
        rerun: (await import("@/app/api/backtests/batches/[batch_id]/rerun/route")).POST as RouteHandler,
        history: (await import("@/app/api/backtests/batches/route")).GET as RouteHandler,
        csv: (await import("@/app/api/backtests/batches/[batch_id]/download/route")).GET as RouteHandler,
      };
      auth = (await signedInUser(t.database.db, "carol", "operator")).session;
    });
    afterAll(async () => {
      delete process.env.QTASK_SWEEP_MAX_TASKS;
      await releaseRouteDb();
      await t?.drop();
    });

    it("a 2×3 sweep over five funds makes 30 tasks, one per fund and combination, in one batch", async () => {
      const res = await post(h.sweep, "/api/backtests/sweeps", {
        fund_codes: FUNDS,
        strategy: "ma_cross",
        params: { ma_short: 99, fee_buy: 0.001 },
        start: "2021-01-04",
        sweep: { ma_short: { from: 5, to: 10, step: 5 }, ma_long: [20, 40, 60] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ combinations: 6, funds: 5, skipped: 0 });
      expect(res.body.task_ids).toHaveLength(30);
      sweepId = res.body.batch_id;
      expect(sweepId).toMatch(/^sw-/);
      const tasks = await t.database.db.task.findMany({ where: { batchId: sweepId }, orderBy: { id: "asc" } });
      expect(tasks.map((x) => String(x.id))).toEqual(res.body.task_ids);
      const payloads = tasks.map((x) => JSON.parse(x.payload));
      // Every (fund, combination) once; the axis overrides the base's ma_short; the rest of the base stays.
      const seen = payloads.map((p) => `${p.fund_code}:${p.params.ma_short}/${p.params.ma_long}`);
      expect(new Set(seen).size).toBe(30);
      // (Stored as enqueue parsed it: every param with its default filled in.)
      expect(payloads[0]).toMatchObject({
        fund_code: "000001",
        strategy: "ma_cross",
        start: "2021-01-04",
        params: { fee_buy: 0.001, fee_sell: 0.005, ma_short: 5, ma_long: 20 },
      });
      expect(tasks.every((x) => x.createdBy === "carol" && x.type === "backtest")).toBe(true);
    });

    it("writes a sweep in one transaction: a reader never sees part of it", async () => {
      const before = await taskCount();
      const reader = countingReader(t.url);
      await reader.started;
      // 4 funds × 1,000 combinations = 4,000 tasks.
      const res = await post(h.sweep, "/api/backtests/sweeps", {
        fund_codes: FUNDS.slice(0, 4),
        strategy: "ma_cross",
        params: { ma_long: 250 },
        sweep: { ma_short: { from: 2, to: 41, step: 1 }, fee_buy: { from: 0, to: 0.012, step: 0.0005 } },
      });
      const counts = (await reader.stop()).map((c) => c - before);
      expect(res.status).toBe(201);
      expect(res.body.task_ids).toHaveLength(4000);
      expect(counts.length).toBeGreaterThan(1);
      expect(counts.every((c) => c === 0 || c === 4000)).toBe(true);
      // Out of the way of the figures below.
      await t.database.db.task.deleteMany({ where: { batchId: res.body.batch_id } });
    });

    it("refuses a sweep above the limit with 400 and writes nothing", async () => {
      const before = await taskCount();
      // 5 funds × 2,001 combinations = 10,005 > the default 10,000.
      const big = await post(h.sweep, "/api/backtests/sweeps", {
        fund_codes: FUNDS,
        strategy: "ma_cross",
        sweep: { ma_short: [5, 6, 7], fee_buy: { from: 0, to: 0.0333, step: 0.00005 } },
      });
      expect(big.status).toBe(400);
      expect(big.body.error.message).toMatch(/5 funds × 2001 combinations = 10005 tasks, more than the limit of 10000 \(QTASK_SWEEP_MAX_TASKS\)/);
      expect(big.body.error.details).toMatchObject({ tasks: 10005, limit: 10000 });
      // The limit is configurable.
      process.env.QTASK_SWEEP_MAX_TASKS = "29";
      const over = await post(h.sweep, "/api/backtests/sweeps", {
        fund_codes: FUNDS,
        strategy: "ma_cross",
        sweep: { ma_short: [5, 10], ma_long: [20, 40, 60] },
      });
      expect(over.status).toBe(400);
      expect(over.body.error.message).toMatch(/= 30 tasks, more than the limit of 29/);
      delete process.env.QTASK_SWEEP_MAX_TASKS;
      // Bad axes, and a sweep whose every combination breaks ma_short < ma_long.
      for (const sweep of [{ rsi_period: [10] }, { ma_short: [1] }, { ma_short: [30], ma_long: [20] }, {}]) {
        const bad = await post(h.sweep, "/api/backtests/sweeps", { fund_codes: FUNDS, strategy: "ma_cross", sweep });
        expect(bad.status, JSON.stringify(sweep)).toBe(400);
        expect(bad.body.error.code).toBe("invalid_input");
      }
      expect(await taskCount()).toBe(before);
    });

    it("skips the combinations an order rule refuses and says so", async () => {
      const res = await post(h.sweep, "/api/backtests/sweeps", {
        fund_codes: ["000001"],
        strategy: "ma_cross",
        sweep: { ma_short: [5, 30], ma_long: [20, 40] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        combinations: 3,
        skipped: 1,
        skipped_examples: [{ params: { ma_short: 30, ma_long: 20 }, reason: "ma_short must be less than ma_long" }],
      });
      await t.database.db.task.deleteMany({ where: { batchId: res.body.batch_id } });
    });

    it("rolls the sweep up: heatmap, leaderboard and robustness equal a hand computation", async () => {
      // Sharpe of fund i (0..4) with (s, l) = s/5 + l/20 + i/10: every fund ranks the combinations
      // alike. Fund 000005's (5, 20) run is still queued.
      const tasks = await t.database.db.task.findMany({ where: { batchId: sweepId }, orderBy: { id: "asc" } });
      for (const task of tasks) {
        const p = JSON.parse(task.payload) as { fund_code: string; params: { ma_short: number; ma_long: number } };
        const i = FUNDS.indexOf(p.fund_code);
        if (i === 4 && p.params.ma_short === 5 && p.params.ma_long === 20) continue;
        const sharpe = p.params.ma_short / 5 + p.params.ma_long / 20 + i / 10;
        await t.database.db.task.update({ where: { id: task.id }, data: { status: "succeeded", progress: 100 } });
        await t.database.db.resultRow.create({
          data: {
            taskId: task.id,
            rowKey: p.fund_code,
            runId: 0,
            data: JSON.stringify({ fund_code: p.fund_code, fund_name: `基金${i}`, total_return: i / 100, sharpe, max_drawdown: 0.1 }),
          },
        });
      }
      const { status, body } = await summary();
      expect(status).toBe(200);
      expect(body).toMatchObject({
        strategy: "ma_cross",
        axes: [
          { key: "ma_short", values: [5, 10] },
          { key: "ma_long", values: [20, 40, 60] },
        ],
        start: "2021-01-04",
        total: 30,
        counts: { succeeded: 29, queued: 1 },
        metric: "sharpe",
        higher_is_better: true,
        fund: null,
        combinations: 6,
        author: "carol",
      });
      expect(body.base_params).toEqual({ fee_buy: 0.001, fee_sell: 0.005, risk_free: 0, initial: 1 });
      // x = ma_short (the first swept param, in declaration order), y = ma_long. A cell is the
      // mean over the funds: s/5 + l/20 + mean(i)/10 = s/5 + l/20 + 0.2, except (5, 20) whose
      // funds are 0..3: 1 + 1 + 0.15.
      expect(body.heatmap.xs).toEqual([5, 10]);
      expect(body.heatmap.ys).toEqual([20, 40, 60]);
      const expected = [
        [2.15, 3.2],
        [3.2, 4.2],
        [4.2, 5.2],
      ];
      body.heatmap.cells.forEach((row: number[], y: number) => row.forEach((v, x) => expect(v).toBeCloseTo(expected[y][x], 12)));
      expect(body.heatmap.counts).toEqual([
        [4, 5],
        [5, 5],
        [5, 5],
      ]);
      // Leaderboard: (10, 60) 5.2; then (5, 60) and (10, 40) tie at 4.2 (rank 2 both); …
      const board = body.leaderboard.map((r: { params: Record<string, number>; rank: number; n: number; runs: number; wins: number }) => [
        r.params.ma_short,
        r.params.ma_long,
        r.rank,
        r.n,
        r.runs,
        r.wins,
      ]);
      expect(board).toEqual([
        [10, 60, 1, 5, 5, 5],
        [5, 60, 2, 5, 5, 0],
        [10, 40, 2, 5, 5, 0],
        [5, 40, 4, 5, 5, 0],
        [10, 20, 4, 5, 5, 0],
        [5, 20, 6, 4, 5, 0],
      ]);
      expect(body.leaderboard[0].mean).toBeCloseTo(5.2, 12);
      expect(body.leaderboard[0].task_id).toBeNull();
      // (10, 60) is first on every fund; four funds have all six values and rank them alike
      // (two ties each: (5,60)=(10,40) and (5,40)=(10,20)), so W = 1.
      expect(body.robustness).toMatchObject({
        params: { ma_short: 10, ma_long: 60 },
        median_rank: 1,
        mean_rank: 1,
        top_quartile_share: 1,
        first_share: 1,
        kendall_funds: 4,
      });
      expect(body.robustness.kendall_w).toBeCloseTo(1, 12);
      expect(body.robustness.per_fund.map((p: { of: number }) => p.of)).toEqual([6, 6, 6, 6, 5]);

      // One fund, another metric: fund 000003 (i = 2) has total_return 0.02 on every run.
      const one = await summary("?fund=000003&metric=total_return&x=ma_short&y=ma_long");
      expect(one.status).toBe(200);
      expect(one.body.heatmap.x).toBe("ma_short");
      expect(one.body.heatmap.cells.flat()).toEqual([0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
      const fundTasks = tasks.filter((x) => JSON.parse(x.payload).fund_code === "000003").map((x) => String(x.id));
      expect(one.body.leaderboard.map((r: { task_id: string }) => r.task_id).sort()).toEqual(fundTasks.sort());
      // Lower is better for a drawdown.
      expect((await summary("?metric=max_drawdown")).body.higher_is_better).toBe(false);
      for (const q of ["?metric=nope", "?x=rsi_period", "?fund=999999", "?x=ma_long&y=ma_long", "?extra=1"])
        expect((await summary(q)).status, q).toBe(400);

      // The page is kept while the batch is unchanged and read again when a run finishes: the
      // queued run succeeds with Sharpe 1 + 1 + 0.4 and the (5, 20) cell becomes 2.2.
      const last = tasks.find((x) => {
        const p = JSON.parse(x.payload) as { fund_code: string; params: { ma_short: number; ma_long: number } };
        return p.fund_code === "000005" && p.params.ma_short === 5 && p.params.ma_long === 20;
      })!;
      await t.database.db.resultRow.create({
        data: { taskId: last.id, rowKey: "000005", runId: 0, data: JSON.stringify({ fund_code: "000005", total_return: 0.04, sharpe: 2.4, max_drawdown: 0.1 }) },
      });
      expect((await summary()).body.heatmap.cells[0][0]).toBeCloseTo(2.15, 12); // its task is still queued: unchanged
      await t.database.db.task.update({ where: { id: last.id }, data: { status: "succeeded", progress: 100, finishedAt: new Date() } });
      const after = await summary();
      expect(after.body.counts).toMatchObject({ succeeded: 30, queued: 0 });
      expect(after.body.heatmap.cells[0][0]).toBeCloseTo(2.2, 12);
      await t.database.db.task.update({ where: { id: last.id }, data: { status: "queued", progress: 0, finishedAt: null } });
      await t.database.db.resultRow.deleteMany({ where: { taskId: last.id } });
    });

    it("downloads as CSV with each run's params beside its figures", async () => {
      const res = await callRoute(h.csv, `/api/backtests/batches/${sweepId}/download`, { auth, params: { batch_id: sweepId } });
      expect(res.headers.get("content-type")).toContain("text/csv");
      const lines = (await res.text()).replace(/^\ufeff/, "").trim().split("\n");
      expect(lines).toHaveLength(31);
      expect(lines[0]).toMatch(/^task_id,fund_code,fund_name,strategy,ma_short,ma_long,fee_buy,fee_sell,risk_free,initial,status,total_return,/);
      const combos = new Set(lines.slice(1).map((l) => l.split(",").slice(1, 2).concat(l.split(",").slice(4, 6)).join("/")));
      expect(combos.size).toBe(30);
      expect(lines[1].split(",").slice(4, 7)).toEqual(["5", "20", "0.001"]);
    });

    it("shows in the history like any batch, without reading its equity curves", async () => {
      const res = await callRoute(h.history, "/api/backtests/batches", { auth });
      const item = ((await res.json()).items as { batch_id: string }[]).find((i) => i.batch_id === sweepId);
      expect(item).toMatchObject({
        total: 30,
        fund_count: 5,
        swept: { ma_short: [5, 10], ma_long: [20, 40, 60] },
        counts: { succeeded: 29, queued: 1 },
        median_return: 0.02,
      });
      expect((item as unknown as { funds: { fund_code: string }[] }).funds.map((f) => f.fund_code)).toEqual(FUNDS);
    });

    it("re-runs with a changed window as a new sweep, and cancels what is left of a batch in one go", async () => {
      const rerun = await post(h.rerun, `/api/backtests/batches/${sweepId}/rerun`, { start: "2022-01-04", end: "2023-12-29" }, { batch_id: sweepId });
      expect(rerun.status).toBe(201);
      expect(rerun.body.batch_id).toMatch(/^sw-/);
      expect(rerun.body.task_ids).toHaveLength(30);
      const again = await t.database.db.task.findMany({ where: { batchId: rerun.body.batch_id }, orderBy: { id: "asc" } });
      const original = await t.database.db.task.findMany({ where: { batchId: sweepId }, orderBy: { id: "asc" } });
      expect(again.map((x) => JSON.parse(x.payload))).toEqual(
        original.map((x) => ({ ...JSON.parse(x.payload), start: "2022-01-04", end: "2023-12-29" })),
      );
      const bad = await post(h.rerun, `/api/backtests/batches/${sweepId}/rerun`, { start: "2024-01-01", end: "2023-01-01" }, { batch_id: sweepId });
      expect(bad.status).toBe(400);
      expect((await post(h.rerun, "/api/backtests/batches/nope/rerun", {}, { batch_id: "nope" })).status).toBe(404);

      // Cancel the re-run: one of its tasks is running (its worker gets the request), the rest queued.
      await t.database.db.task.update({ where: { id: again[0].id }, data: { status: "running" } });
      const cancel = await post(h.cancel, `/api/tasks/batches/${rerun.body.batch_id}/cancel`, {}, { batch_id: rerun.body.batch_id });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toEqual({ cancelled: 29, cancel_requested: 1 });
      const after = await t.database.db.task.findMany({ where: { batchId: rerun.body.batch_id }, orderBy: { id: "asc" } });
      expect(after[0]).toMatchObject({ status: "running", cancelRequested: true });
      expect(after.slice(1).every((x) => x.status === "cancelled")).toBe(true);
      // Again: nothing left to cancel. An unknown batch: 404. The original's finished runs are untouched.
      expect((await post(h.cancel, `/api/tasks/batches/${rerun.body.batch_id}/cancel`, {}, { batch_id: rerun.body.batch_id })).body).toEqual({
        cancelled: 0,
        cancel_requested: 0,
      });
      expect((await post(h.cancel, "/api/tasks/batches/nope/cancel", {}, { batch_id: "nope" })).status).toBe(404);
      expect(await t.database.db.task.count({ where: { batchId: sweepId, status: "succeeded" } })).toBe(29);
    });
  });
}
