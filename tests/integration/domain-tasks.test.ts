/**
 * The domain tasks end to end through a real worker process and a real database: a signals
 * batch over a small demo universe (result rows per fund, progress, log), a screening
 * strategy, a backtest batch, and the crawl jobs against a local HTTP server this test starts.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import { seedFunds } from "@/demo/seed";
import { loadSeries, saveSeries } from "@/domain/series";
import { registry, resultViewOf } from "@/tasks";
import { valueAt } from "@/contracts/resultView";
import { finishedTask, freshDb, providers, type TestDb } from "./support/db";
import { fixtureServer } from "./support/http";
import { startWorker, type WorkerProcess } from "./support/processes";

/**
 * The type's declared view fits what its handler wrote: every row field has a column (unless
 * the view shows more), every column is in some row and every summary field in the result,
 * but for those named in `conditional` (written only for some payloads, e.g. as_of).
 */
function expectDeclared(type: string, rows: Record<string, unknown>[], result: unknown, conditional: string[] = []) {
  const view = resultViewOf(type)!;
  const fields = new Set(rows.flatMap((r) => Object.keys(r)));
  const columns = new Set(view.columns.map((c) => c.field));
  if (!view.more)
    expect(
      [...fields].filter((f) => !columns.has(f)),
      `${type}: row fields without a column`,
    ).toEqual([]);
  expect(
    [...columns].filter((c) => !fields.has(c) && !conditional.includes(c)),
    `${type}: columns no row has`,
  ).toEqual([]);
  const missing = view.summary.filter((c) => valueAt(result, c.field) === undefined && !conditional.includes(c.field));
  expect(
    missing.map((c) => c.field),
    `${type}: summary fields not in the result`,
  ).toEqual([]);
}

// A tiny NAV source: /nav/<code>.json, /nav/<code>.csv, /flaky/<code>.json (fails twice), /basic.json
const source = fixtureServer((url, { send, json }) => {
  let m: RegExpExecArray | null;
  if ((m = /^\/nav\/(\w+)\.json$/.exec(url))) {
    if (m[1] === "999999") return json({ error: "no such fund" }, 404);
    return json({
      code: m[1],
      name: `基金${m[1]}`,
      points: [
        { date: "2030-01-02", nav: 1.5, acc_nav: 2.5 },
        { date: "2030-01-03", nav: 1.6 },
      ],
    });
  }
  if (/^\/nav\/(\w+)\.csv$/.test(url)) return send("date,nav,acc_nav\n2030-01-02,1.1,1.2\n2030-01-03,1.2,1.3\n", "text/csv");
  if (/^\/flaky\/(\w+)\.json$/.test(url)) {
    if ((source.hits.get(url) ?? 0) <= 2) return json({ error: "busy" }, 503);
    return json({ points: [{ date: "2030-01-02", nav: 1.01 }] });
  }
  if (url === "/basic.json")
    return json([
      { code: "000001", name: "改名后的基金", fund_type: "bond" },
      { code: "888888", name: "新基金", fund_type: "stock" },
    ]);
  json({ error: "not found" }, 404);
});

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`domain tasks on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    const task = (id: number) => t.database.db.task.findUniqueOrThrow({ where: { id } });
    const done = (id: number) => finishedTask(t, id, 60_000);

    beforeEach(async () => {
      source.hits.clear();
      t = await freshDb(kind);
      await seedFunds(t.database.db, 60);
      // The fixture server is the one declared feed host (enqueue here checks it too).
      process.env.QTASK_FEED_HOSTS = new URL(source.base).host;
      worker = await startWorker(t.url, {
        JOB_NUM: "2",
        QTASK_IMPORT_DIR: path.resolve(".data/test/import"),
        QTASK_FEED_HOSTS: process.env.QTASK_FEED_HOSTS,
      });
    });
    afterEach(async () => {
      await worker.stop("SIGKILL");
      await t.drop();
    });

    it("signals_batch writes one result row per fund with six signals, and progress and log lines", async () => {
      const codes = (await t.database.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true }, orderBy: { code: "asc" } })).map(
        (r) => r.code,
      );
      expect(codes.length).toBe(60);
      const { id } = await enqueue(t.conn, registry, { type: "signals_batch", payload: { all: true, params: { rsi_period: 10 } } });
      await done(id);
      const finished = await task(id);
      expect(finished.status).toBe("succeeded");
      expect(finished.progress).toBe(100);
      const rows = await t.database.db.resultRow.findMany({ where: { taskId: id } });
      expect(rows.map((r) => r.rowKey).sort()).toEqual(codes);
      const data = JSON.parse(rows[0].data) as { fund_code: string; signals: { name: string; direction: string }[] };
      expect(data.signals.map((s) => s.name).sort()).toEqual(["bollinger", "drawdown", "ma_cross", "macd_cross", "momentum", "rsi"]);
      const messages = (await t.database.db.runLog.findMany({ where: { runId: finished.runId as number } })).map((l) => l.message);
      expect(messages.some((m) => /computing signals for 60 funds/.test(m))).toBe(true);
      // Unknown codes are reported, not fatal.
      const { id: id2 } = await enqueue(t.conn, registry, { type: "signals_batch", payload: { fund_codes: [codes[0], "999999"] } });
      await done(id2);
      expect(JSON.parse((await t.database.db.resultRow.findFirstOrThrow({ where: { taskId: id2, rowKey: "999999" } })).data)).toMatchObject({
        missing: true,
      });
      const both = await t.database.db.resultRow.findMany({ where: { taskId: { in: [id, id2] } } });
      expectDeclared(
        "signals_batch",
        both.map((r) => JSON.parse(r.data)),
        JSON.parse(finished.result as string),
        ["as_of"],
      );
    });

    it("strategy_screen ranks its matches; backtests run as a batch with metrics and an equity curve", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "strategy_screen", payload: { strategy: "momentum_top_n", params: { top_n: 10 } } });
      await done(id);
      expect((await task(id)).status).toBe("succeeded");
      const matches = await t.database.db.resultRow.findMany({ where: { taskId: id } });
      expect(matches.length).toBe(10);
      const ranks = matches.map((m) => (JSON.parse(m.data) as { rank: number }).rank).sort((a, b) => a - b);
      expect(ranks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expectDeclared(
        "strategy_screen",
        matches.map((m) => JSON.parse(m.data)),
        JSON.parse((await task(id)).result as string),
        ["as_of"],
      );

      const codes = (await t.database.db.instrument.findMany({ where: { kind: "fund" }, take: 3, select: { code: true } })).map((r) => r.code);
      const { ids } = await enqueueMany(
        t.conn,
        registry,
        codes.map((fund_code) => ({ type: "backtest", payload: { fund_code, strategy: "ma_cross" } })),
      );
      for (const bt of ids) await done(bt);
      for (const bt of ids) {
        const r = await task(bt);
        expect(r.status).toBe("succeeded");
        const result = JSON.parse(r.result as string) as {
          metrics: { total_return: number; max_drawdown: number };
          equity: { date: string; value: number }[];
        };
        expect(result.metrics.max_drawdown).toBeGreaterThanOrEqual(0);
        expect(result.equity.length).toBeGreaterThan(10);
        expect(result.equity.length).toBeLessThanOrEqual(600);
        // The same figures as one small result row, keyed by the fund (what sweeps and the history read).
        const rows = await t.database.db.resultRow.findMany({ where: { taskId: bt } });
        expect(rows.map((x) => x.rowKey)).toEqual([(JSON.parse(r.payload) as { fund_code: string }).fund_code]);
        const row = JSON.parse(rows[0].data) as { equity_spark: number[] };
        expect(row).toEqual({ fund_code: rows[0].rowKey, fund_name: expect.any(String), ...result.metrics, equity_spark: expect.any(Array) });
        // The sparkline: 30 points of the curve, first and last kept.
        expect(row.equity_spark).toHaveLength(Math.min(30, result.equity.length));
        expect(row.equity_spark[0]).toBeCloseTo(result.equity[0].value, 4);
        expect(row.equity_spark.at(-1)).toBeCloseTo(result.equity.at(-1)!.value, 4);
        expectDeclared("backtest", [row], result);
      }
    });

    it("re-running a backtest or a screen on the same data reproduces its figures exactly; a changed NAV changes the data hash", async () => {
      const code = (await t.database.db.instrument.findFirstOrThrow({ where: { kind: "fund", fundType: "stock" }, orderBy: { code: "asc" } })).code;
      const bt = { type: "backtest", payload: { fund_code: code, strategy: "ma_cross", params: { ma_short: 10, ma_long: 30 }, start: "2021-01-04" } };
      const screen = { type: "strategy_screen", payload: { strategy: "momentum_top_n", params: { top_n: 5 } } };
      const run = async (spec: { type: string; payload: Record<string, unknown> }) => {
        const { id } = await enqueue(t.conn, registry, spec);
        await done(id);
        const r = await task(id);
        expect(r.status, r.error ?? "").toBe("succeeded");
        const rows = (await t.database.db.resultRow.findMany({ where: { taskId: id }, orderBy: { rowKey: "asc" } })).map((x) => JSON.parse(x.data));
        const info = JSON.parse((await t.database.db.run.findUniqueOrThrow({ where: { id: r.runId as number } })).info ?? "null");
        return { result: JSON.parse(r.result as string), rows, info };
      };
      type Prov = {
        data: { fund?: { hash: string }; hash?: string; funds?: number; per_fund?: unknown[] };
        params: Record<string, number>;
        code: { version: string };
      };

      const a = await run(bt);
      const b = await run(bt);
      expect(b.result).toEqual(a.result); // metrics, equity, trades and provenance, to the last digit
      const prov = a.result.provenance as Prov;
      expect(prov.params).toMatchObject({ ma_short: 10, ma_long: 30, fee_buy: 0.0015, risk_free: 0 }); // after defaults
      expect(prov.code.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(a.info.provenance).toEqual(prov); // shown on the run page

      const s1 = await run(screen);
      const s2 = await run(screen);
      expect(s2.rows).toEqual(s1.rows);
      expect(s2.result).toEqual(s1.result);
      expect((s1.result.provenance as Prov).data).toMatchObject({ funds: 60 });
      expect((s1.info.provenance as Prov).data.per_fund).toHaveLength(60);

      // One NAV point changes: the fund's hash, the screen's hash and the figures change with it.
      const s = (await loadSeries(t.database.db, [code])).get(code)!;
      s.nav[s.nav.length - 1] *= 1.05;
      s.accNav[s.accNav.length - 1] *= 1.05;
      await saveSeries(t.database.db, s);
      const c = await run(bt);
      expect((c.result.provenance as Prov).data.fund?.hash).not.toBe(prov.data.fund?.hash);
      expect(c.result.metrics.buy_hold_return).not.toBe(a.result.metrics.buy_hold_return);
      const s3 = await run(screen);
      expect((s3.result.provenance as Prov).data.hash).not.toBe((s1.result.provenance as Prov).data.hash);
    });

    it("fund_nav_sync imports from HTTP (JSON and CSV) with retries, and from a CSV file; fund_basic_sync renames", async () => {
      const code = (await t.database.db.instrument.findFirstOrThrow({ where: { kind: "fund" }, orderBy: { code: "asc" } })).code;
      const before = (await loadSeries(t.database.db, [code])).get(code)!.dates.length;
      const json = await enqueue(t.conn, registry, {
        type: "fund_nav_sync",
        payload: { source: "http", url: `${source.base}/nav/{code}.json`, fund_codes: [code, "999999"], rate_per_sec: 20 },
      });
      await done(json.id);
      const r = await task(json.id);
      expect(r.status).toBe("succeeded");
      expect(JSON.parse(r.result as string)).toMatchObject({ funds: 2, failed: 1, new_points: 2 });
      const after = (await loadSeries(t.database.db, [code])).get(code)!;
      expect(after.dates.length).toBe(before + 2);
      expect(after.dates[after.dates.length - 1]).toBe(20300103);
      expect(after.accNav[after.accNav.length - 2]).toBe(2.5);
      expect((await t.database.db.instrument.findUniqueOrThrow({ where: { code } })).latestDate).toBe("2030-01-03");

      const flaky = await enqueue(t.conn, registry, {
        type: "fund_nav_sync",
        payload: { source: "http", url: `${source.base}/flaky/{code}.json`, fund_codes: ["777777"], retries: 3 },
      });
      await done(flaky.id);
      expect((await task(flaky.id)).status).toBe("succeeded");
      expect(source.hits.get("/flaky/777777.json")).toBe(3);
      expect((await loadSeries(t.database.db, ["777777"])).get("777777")?.nav[0]).toBe(1.01);

      const csv = await enqueue(t.conn, registry, {
        type: "fund_nav_sync",
        payload: { source: "http", url: `${source.base}/nav/{code}.csv`, fund_codes: ["000123"] },
      });
      await done(csv.id);
      expect((await loadSeries(t.database.db, ["000123"])).get("000123")?.dates.length).toBe(2);

      fs.mkdirSync(path.resolve(".data/test/import"), { recursive: true });
      fs.writeFileSync(path.resolve(".data/test/import/navs.csv"), "code,date,nav,acc_nav\n000001,2030-02-01,1.0,1.0\n000002,2030-02-01,2.0,\n");
      const file = await enqueue(t.conn, registry, { type: "fund_nav_sync", payload: { source: "file", path: "navs.csv" } });
      await done(file.id);
      expect((await task(file.id)).status).toBe("succeeded");
      expect((await loadSeries(t.database.db, ["000002"])).get("000002")?.accNav[0]).toBe(2);
      const escape = await enqueue(t.conn, registry, { type: "fund_nav_sync", payload: { source: "file", path: "../../package.json" } });
      await done(escape.id);
      expect((await task(escape.id)).status).toBe("failed");

      const basic = await enqueue(t.conn, registry, { type: "fund_basic_sync", payload: { url: `${source.base}/basic.json` } });
      await done(basic.id);
      expect(JSON.parse((await task(basic.id)).result as string)).toMatchObject({ funds: 2 });
      expect(await t.database.db.instrument.findUniqueOrThrow({ where: { code: "888888" } })).toMatchObject({ name: "新基金", fundType: "stock" });
    });
  });
}
