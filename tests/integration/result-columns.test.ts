/**
 * Result rows by their type's columns (both databases, through the real route handlers): sort
 * by a column, filter by range (numbers, percents as stored fractions, dates), by tag (inside an
 * array of objects, or a boolean), by text; a filter or sort that does not fit is a 400; the CSV
 * has the declared columns, headed in the asked language, and exactly the filtered rows.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as resultsRoute from "@/app/api/tasks/[id]/results/route";
import * as csvRoute from "@/app/api/tasks/[id]/results/download/route";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

const signal = (name: string, direction: string, value: number | null) => ({ name, direction, value, date: "2024-03-29", note: "" });

const SIGNAL_ROWS = [
  { fund_code: "000001", as_of: "2024-03-29", signals: [signal("ma_cross", "buy", 0.01), signal("rsi", "neutral", 50)] },
  { fund_code: "000002", as_of: "2024-03-29", signals: [signal("momentum", "sell", -0.2)] },
  { fund_code: "000003", as_of: "2024-02-01", signals: [signal("rsi", "na", null)] },
  { fund_code: "110011", as_of: "2024-03-29", signals: [], missing: true },
];
const BACKTEST_ROWS = [
  { fund_code: "000001", fund_name: "华夏成长", total_return: 0.1234, sharpe: 1.5, trades: 10, equity_spark: [1, 1.1, 1.12] },
  { fund_code: "000002", fund_name: "嘉实增长", total_return: -0.05, sharpe: -0.3, trades: 4, equity_spark: [1, 0.95] },
  { fund_code: "000003", fund_name: "南方积极", total_return: 0.0456, sharpe: 0.8, trades: 6, equity_spark: [1, 1.04] },
];

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`result columns on ${kind}`, () => {
    let t: TestDb;
    let session = "";
    let signalsTask = 0;
    let backtestTask = 0;
    let screenTask = 0;

    async function withRows(
      type: string,
      payload: unknown,
      rows: Record<string, unknown>[],
      key = (r: Record<string, unknown>) => String(r.fund_code),
    ) {
      const { id } = await enqueue(t.conn, registry, { type, payload });
      const run = await t.database.db.run.create({ data: { taskId: id, attempt: 1, workerId: "test", status: "succeeded" } });
      for (const r of rows) await t.database.db.resultRow.create({ data: { taskId: id, runId: run.id, rowKey: key(r), data: JSON.stringify(r) } });
      return id;
    }
    const page = async (id: number, query: string) => {
      const res = await callRoute(resultsRoute.GET, `/api/tasks/${id}/results?${query}`, { auth: session, params: { id: String(id) } });
      return {
        status: res.status,
        body: (await res.json()) as { total: number; items: { key: string }[]; error?: { code: string; message: string } },
      };
    };
    const keys = async (id: number, query: string) => {
      const { status, body } = await page(id, query);
      expect(status, JSON.stringify(body)).toBe(200);
      return { total: body.total, keys: body.items.map((i) => i.key) };
    };
    const csv = async (id: number, query: string) => {
      const res = await callRoute(csvRoute.GET, `/api/tasks/${id}/results/download?${query}`, { auth: session, params: { id: String(id) } });
      expect(res.status).toBe(200);
      return parse((await res.text()).replace(/^\uFEFF/, "")) as string[][];
    };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      session = (await signedInUser(t.database.db, "viewer", "viewer")).session;
      signalsTask = await withRows("signals_batch", { fund_codes: ["000001"] }, SIGNAL_ROWS);
      backtestTask = await withRows("backtest", { fund_code: "000001", strategy: "buy_hold" }, BACKTEST_ROWS);
      screenTask = await withRows("strategy_screen", { strategy: "rsi_oversold_rebound" }, [
        { rank: 1, fund_code: "000002", fund_name: "B", score: 0.9, rsi: 28.5 },
        { rank: 2, fund_code: "000001", fund_name: "A", score: 0.4, rsi: 31 },
      ]);
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    it("filters tags inside an array of objects by their item field, and a boolean tag", async () => {
      expect(await keys(signalsTask, "filter.signals=buy")).toEqual({ total: 1, keys: ["000001"] });
      expect(await keys(signalsTask, "filter.signals=buy,sell")).toEqual({ total: 2, keys: ["000001", "000002"] });
      expect(await keys(signalsTask, "filter.signals=na")).toEqual({ total: 1, keys: ["000003"] });
      expect(await keys(signalsTask, "filter.missing=true")).toEqual({ total: 1, keys: ["110011"] });
    });

    it("filters dates by range (the upper day included), text by a piece of it, and combines filters", async () => {
      expect(await keys(signalsTask, "filter.as_of=2024-03-01..2024-03-29")).toEqual({ total: 3, keys: ["000001", "000002", "110011"] });
      expect(await keys(signalsTask, "filter.as_of=..2024-02-01")).toEqual({ total: 1, keys: ["000003"] });
      expect(await keys(signalsTask, "filter.fund_code=1100")).toEqual({ total: 1, keys: ["110011"] });
      expect(await keys(signalsTask, "filter.as_of=2024-03-01..&filter.signals=sell")).toEqual({ total: 1, keys: ["000002"] });
    });

    it("sorts by a number column and filters percents by the stored fraction, numbers by range", async () => {
      expect(await keys(backtestTask, "sort=total_return&order=desc")).toEqual({ total: 3, keys: ["000001", "000003", "000002"] });
      expect(await keys(backtestTask, "filter.total_return=0.04..&sort=total_return")).toEqual({ total: 2, keys: ["000003", "000001"] });
      expect(await keys(backtestTask, "filter.sharpe=..0")).toEqual({ total: 1, keys: ["000002"] });
      expect(await keys(backtestTask, "filter.trades=5..10&page_size=1&page=2")).toEqual({ total: 2, keys: ["000003"] });
    });

    it("a type with more fields than columns filters and sorts those as text and values", async () => {
      expect(await keys(screenTask, "sort=rsi&order=desc")).toEqual({ total: 2, keys: ["000001", "000002"] });
      expect(await keys(screenTask, "filter.rsi=28")).toEqual({ total: 1, keys: ["000002"] });
    });

    it("refuses a filter or sort that does not fit, with the envelope", async () => {
      for (const [id, q, msg] of [
        [signalsTask, "sort=signals", /cannot be sorted/],
        [signalsTask, "filter.nope=1", /no column nope/],
        [backtestTask, "filter.total_return=abc..", /numbers/],
        [backtestTask, "filter.equity_spark=1..2", /cannot be filtered/],
        [signalsTask, "filter.as_of=March..", /YYYY-MM-DD/],
        [signalsTask, "where=1", /unknown parameter/],
      ] as const) {
        const { status, body } = await page(id, q);
        expect(status, q).toBe(400);
        expect(body.error?.code).toBe("invalid_input");
        expect(JSON.stringify(body.error)).toMatch(msg);
      }
    });

    it("exports the declared columns in the asked language, with the table's filter and sort", async () => {
      const zh = await csv(backtestTask, "sort=total_return&order=desc&filter.total_return=0..");
      expect(zh[0].slice(0, 5)).toEqual(["基金代码", "基金名称", "净值走势", "总收益 (%)", "年化收益 (%)"]);
      const col = (name: string) => zh[0].indexOf(name);
      expect(zh.slice(1).map((r) => [r[0], r[1], r[col("总收益 (%)")], r[col("夏普")], r[col("交易次数")], r[col("净值走势")]])).toEqual([
        ["000001", "华夏成长", "12.34", "1.50", "10", "1 1.1 1.12"],
        ["000003", "南方积极", "4.56", "0.80", "6", "1 1.04"],
      ]);
      const en = await csv(signalsTask, "lang=en&filter.signals=buy,sell");
      expect(en[0]).toEqual(["Fund", "Signals", "Data", "As of"]);
      expect(en.slice(1)).toEqual([
        ["000001", "MA cross Buy 0.01", "", "2024-03-29"],
        ["000002", "Momentum Sell -0.2", "", "2024-03-29"],
      ]);
      const missing = await csv(signalsTask, "filter.missing=true");
      expect(missing.slice(1)).toEqual([["110011", "", "无净值", "2024-03-29"]]);
    });
  });
}
