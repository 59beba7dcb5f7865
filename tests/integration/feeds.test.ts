/**
 * The market data feed jobs end to end through a real worker process and a real database,
 * against a local HTTP server this test starts: the four feeds import JSON and CSV into
 * market_records (upserts, `{date}` and `?date=`, the codes filter, the env var URL, today's
 * date by default), bad feeds fail with the row number, a missing URL fails permanently, a
 * 503 is retried; fund_basic_sync with stock rows and fund_nav_sync without a code list; and
 * `as_of` on signals_batch / strategy_screen using only the NAV points up to that day.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { seedFunds } from "@/demo/seed";
import { computeSignals } from "@/domain/signals";
import { adjustedNav } from "@/domain/adjusted";
import { handAdjusted } from "./support/handAdjusted";
import { loadSeries, parseYmd, ymd } from "@/domain/series";
import { registry } from "@/tasks";
import { shanghaiToday } from "@/domain/calendar";
import { seriesAsOf } from "@/tasks/shared";
import { finishedTask, freshDb, providers, type TestDb } from "./support/db";
import { fixtureServer } from "./support/http";
import { startWorker, type WorkerProcess } from "./support/processes";

type Row = Record<string, string | number>;

const FIXTURES: Record<string, Row[]> = {
  quotes: [
    { code: "600519.SH", price: 1700.5, change_pct: 1.25, volume: 12345, amount: 21000000, time: "15:00:00" },
    { code: "000001", price: 10.1 },
    { code: "300750.SZ", price: 180, change_pct: -2.5 },
  ],
  financials: [
    { code: "600519.SH", period: "2023-12-31", revenue: 150000000000, net_profit: 75000000000, eps: 59.49, roe: 0.34 },
    { code: "600519.SH", period: "2024-03-31", revenue: 46000000000, net_profit: 24000000000 },
    { code: "000001", period: "2023-12-31", total_assets: 5500000000000, total_equity: 450000000000 },
  ],
  top_list: [
    { code: "000001", name: "平安银行", reason: "日涨幅偏离值达7%", buy_amount: 120000000, sell_amount: 80000000, net_amount: 40000000 },
    { code: "300750.SZ", reason: "连续三个交易日内收盘价格涨幅偏离值累计达20%", net_amount: -10000000 },
  ],
  capital_flow: [
    { code: "600519.SH", main_net_inflow: 150000000, super_large_net: 100000000, large_net: 50000000, medium_net: -20000000, small_net: -130000000 },
    { code: "000001", main_net_inflow: -30000000 },
  ],
};

/** Quote prices move up by this much, so a re-run can see changed rows. */
let priceBump = 0;
const rowsOf = (dataset: string): Row[] => FIXTURES[dataset].map((r) => (dataset === "quotes" ? { ...r, price: Number(r.price) + priceBump } : r));

function toCsv(rows: Row[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [cols.join(","), ...rows.map((r) => cols.map((c) => (c in r ? String(r[c]) : "")).join(","))].join("\n") + "\n";
}

// /feed/<dataset>.<json|csv>, /feed/<dataset>/<date>.<json|csv>, /items/<dataset>.json ({items}
// served as text/plain), /flaky/<dataset>.json (503 on the first hit), /bad/…, /basic.csv, /nav/<code>.json
const source = fixtureServer((url, { send, json }) => {
  const path = url.split("?")[0];
  let m: RegExpExecArray | null;
  if ((m = /^\/feed\/(\w+)(?:\/[\d-]+)?\.(json|csv)$/.exec(path)) && FIXTURES[m[1]])
    return m[2] === "json" ? json(rowsOf(m[1])) : send(toCsv(rowsOf(m[1])), "text/csv");
  if ((m = /^\/items\/(\w+)\.json$/.exec(path)) && FIXTURES[m[1]]) return send(JSON.stringify({ items: rowsOf(m[1]) }), "text/plain");
  if ((m = /^\/flaky\/(\w+)\.json$/.exec(path)) && FIXTURES[m[1]])
    return (source.hits.get(url) ?? 0) <= 1 ? json({ error: "busy" }, 503) : json(rowsOf(m[1]));
  if (path === "/bad/quotes.json")
    return json([
      { code: "600519.SH", price: 1 },
      { code: "000002", change_pct: 1 },
    ]);
  if (path === "/bad/capital_flow.csv") return send("code,main_net_inflow\n600519.SH,1\n000001,2\n000002,abc\n", "text/csv");
  if (path === "/basic.csv")
    return send("code,name,kind,fund_type\n110011,易方达中小盘,,hybrid\n600519.SH,贵州茅台,stock,\n000905.SH,中证500,index,\n", "text/csv");
  if ((m = /^\/nav\/([\w.]+)\.json$/.exec(path))) return json({ points: [{ date: "2030-01-02", nav: 1.5 }] });
  json({ error: "not found" }, 404);
});

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`feed jobs on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    const task = (id: number) => t.database.db.task.findUniqueOrThrow({ where: { id } });
    const done = (id: number) => finishedTask(t, id);
    /** Enqueues all, waits for all, returns the finished tasks in order. */
    const runAll = async (jobs: { type: string; payload: unknown }[]) => {
      const ids: number[] = [];
      for (const j of jobs) ids.push((await enqueue(t.conn, registry, j)).id);
      for (const id of ids) await done(id);
      return Promise.all(ids.map(task));
    };
    const result = (r: { result: string | null }) => JSON.parse(r.result as string) as Record<string, unknown>;
    const records = (dataset: string, date?: string) =>
      t.database.db.marketRecord.findMany({ where: { dataset, ...(date ? { date } : {}) }, orderBy: [{ code: "asc" }, { date: "asc" }] });

    beforeEach(async () => {
      source.hits.clear();
      priceBump = 0;
      t = await freshDb(kind);
      // The fixture server is the one declared feed host (enqueue here checks it too).
      process.env.QTASK_FEED_HOSTS = new URL(source.base).host;
      worker = await startWorker(t.url, {
        JOB_NUM: "2",
        QTASK_FEED_HOSTS: process.env.QTASK_FEED_HOSTS,
        // The variables the feeds read: one points at the fixture server, the others are unset
        // whatever the environment running the tests says.
        QTASK_QUOTES_URL: "",
        QTASK_FINANCIALS_URL: "",
        QTASK_TOP_LIST_URL: "",
        QTASK_CAPITAL_FLOW_URL: `${source.base}/feed/capital_flow.json`,
      });
    });
    afterEach(async () => {
      await worker.stop("SIGKILL");
      await t.drop();
    });

    it("imports the four feeds from JSON and CSV into market_records, upserting on re-runs", async () => {
      const D1 = "2024-05-06";
      const D2 = "2024-05-07";
      const types = {
        quotes: "realtime_quotes_sync",
        financials: "financial_statements_sync",
        top_list: "top_list_sync",
        capital_flow: "capital_flow_sync",
      };
      // Runs of one dataset in parallel would race for the same statements rows: the financials CSV
      // run goes second, after the JSON one, so the counts below are deterministic.
      const jobs = Object.entries(types).flatMap(([ds, type]) => [
        { type, payload: { url: `${source.base}/feed/${ds}.json`, date: D1 } },
        { type, payload: { url: `${source.base}/feed/${ds}/{date}.csv`, date: D2 } },
      ]);
      const first = await runAll(jobs.filter((_, i) => i !== 3));
      first.splice(3, 0, ...(await runAll([jobs[3]])));
      for (const r of first) expect(r.status, r.error ?? "").toBe("succeeded");
      for (const ds of Object.keys(types)) {
        // `?date=` appended to a URL without {date}; {date} replaced in the other.
        expect(source.hits.get(`/feed/${ds}.json?date=${D1}`), ds).toBe(1);
        expect(source.hits.get(`/feed/${ds}/${D2}.csv`), ds).toBe(1);
      }

      // Date-keyed datasets: every row once per day, the CSV's codes still strings and its numbers numbers.
      for (const ds of ["quotes", "top_list", "capital_flow"]) {
        for (const d of [D1, D2])
          expect(
            (await records(ds, d)).map((r) => r.code),
            `${ds} ${d}`,
          ).toEqual(FIXTURES[ds].map((r) => r.code).sort());
      }
      const csvQuote = (await records("quotes", D2)).find((r) => r.code === "000001")!;
      expect(JSON.parse(csvQuote.data)).toEqual({ code: "000001", price: 10.1 });
      const jsonQuote = (await records("quotes", D1)).find((r) => r.code === "600519.SH")!;
      expect(JSON.parse(jsonQuote.data)).toEqual(FIXTURES.quotes[0]);
      expect(JSON.parse((await records("capital_flow", D2)).find((r) => r.code === "600519.SH")!.data)).toEqual(FIXTURES.capital_flow[0]);

      // Statements are keyed by report period: the CSV run found the JSON run's rows, identical.
      const fin = await records("financials");
      expect(fin.map((r) => `${r.code}@${r.date}`)).toEqual(["000001@2023-12-31", "600519.SH@2023-12-31", "600519.SH@2024-03-31"]);
      expect(result(first[2])).toMatchObject({ dataset: "financials", fetched: 3, stored: 3, inserted: 3, updated: 0 });
      expect(result(first[3])).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
      const finRows = await t.database.db.resultRow.findMany({ where: { taskId: first[2].id }, orderBy: { rowKey: "asc" } });
      expect(finRows.map((r) => r.rowKey)).toEqual(fin.map((r) => `${r.code}@${r.date}`));
      expect((await t.database.db.resultRow.findMany({ where: { taskId: first[0].id } })).map((r) => r.rowKey).sort()).toEqual(
        FIXTURES.quotes.map((r) => r.code).sort(),
      );
      const log = (await t.database.db.runLog.findMany({ where: { runId: first[0].runId as number } })).map((l) => l.message);
      expect(log.some((m) => /fetched 3 rows/.test(m))).toBe(true);
      expect(log.some((m) => /3 inserted, 0 updated/.test(m))).toBe(true);

      // Re-runs upsert: the same feed changes nothing, a changed feed updates in place.
      const [same] = await runAll([{ type: "realtime_quotes_sync", payload: { url: `${source.base}/feed/quotes.json`, date: D1 } }]);
      expect(result(same)).toMatchObject({ fetched: 3, inserted: 0, updated: 0, unchanged: 3 });
      priceBump = 1;
      const [changed] = await runAll([{ type: "realtime_quotes_sync", payload: { url: `${source.base}/feed/quotes.json`, date: D1 } }]);
      expect(result(changed)).toMatchObject({ inserted: 0, updated: 3, unchanged: 0 });
      expect(await records("quotes")).toHaveLength(6);
      expect(JSON.parse((await records("quotes", D1)).find((r) => r.code === "000001")!.data).price).toBe(11.1);

      // The codes filter, {items} served as text/plain, the env var URL, and today by default.
      const D3 = "2024-05-08";
      const today = shanghaiToday();
      const [filtered, items, fromEnv, undated] = await runAll([
        { type: "realtime_quotes_sync", payload: { url: `${source.base}/feed/quotes.json`, date: D3, codes: ["000001", "999999"] } },
        { type: "top_list_sync", payload: { url: `${source.base}/items/top_list.json`, date: D3 } },
        { type: "capital_flow_sync", payload: { date: D3 } },
        { type: "realtime_quotes_sync", payload: { url: `${source.base}/feed/quotes.json` } },
      ]);
      expect(result(filtered)).toMatchObject({ fetched: 3, stored: 1, filtered_out: 2 });
      expect((await records("quotes", D3)).map((r) => r.code)).toEqual(["000001"]);
      expect(result(items)).toMatchObject({ stored: 2 });
      expect(fromEnv.status).toBe("succeeded");
      expect(source.hits.get(`/feed/capital_flow.json?date=${D3}`)).toBe(1);
      expect(await records("capital_flow", D3)).toHaveLength(2);
      expect(source.hits.get("/feed/quotes.json")).toBe(1);
      const undatedDay = result(undated).date as string;
      expect([today, shanghaiToday()]).toContain(undatedDay); // the run may straddle midnight
      expect(await records("quotes", undatedDay)).toHaveLength(3);
    });

    it("fails bad feeds with the row, a missing URL permanently, retries a 503; basic and NAV sync; as_of signals", async () => {
      const [badJson, badCsv, noUrl, flaky, basic] = await runAll([
        { type: "realtime_quotes_sync", payload: { url: `${source.base}/bad/quotes.json`, date: "2024-05-06" } },
        { type: "capital_flow_sync", payload: { url: `${source.base}/bad/capital_flow.csv`, date: "2024-05-06" } },
        { type: "top_list_sync", payload: {} },
        { type: "financial_statements_sync", payload: { url: `${source.base}/flaky/financials.json`, retries: 2 } },
        { type: "fund_basic_sync", payload: { url: `${source.base}/basic.csv` } },
      ]);
      for (const bad of [badJson, badCsv, noUrl]) {
        expect(bad.status).toBe("failed");
        expect(bad.attempts).toBe(1); // permanent: retrying a bad feed would not help
      }
      expect(badJson.error).toMatch(/malformed feed: 1 of 2 rows invalid; row 2: price/);
      expect(badCsv.error).toMatch(/row 3: main_net_inflow/);
      expect(noUrl.error).toMatch(/set QTASK_TOP_LIST_URL/);
      expect(await t.database.db.marketRecord.count({ where: { dataset: { in: ["quotes", "capital_flow"] } } })).toBe(0);
      expect(flaky.status).toBe("succeeded");
      expect(source.hits.get("/flaky/financials.json")).toBe(2);
      expect(await records("financials")).toHaveLength(3);

      // fund_basic_sync: kind-less rows are funds, stock and index rows keep no fund type.
      expect(result(basic)).toMatchObject({ instruments: 3, funds: 1, stocks: 1, indices: 1, created: 3 });
      const inst = await t.database.db.instrument.findMany({ orderBy: { code: "asc" }, select: { code: true, kind: true, fundType: true } });
      expect(inst).toEqual([
        { code: "000905.SH", kind: "index", fundType: null },
        { code: "110011", kind: "fund", fundType: "hybrid" },
        { code: "600519.SH", kind: "stock", fundType: null },
      ]);
      // fund_nav_sync without fund_codes syncs every fund in the database (only 110011 here).
      const [nav] = await runAll([{ type: "fund_nav_sync", payload: { source: "http", url: `${source.base}/nav/{code}.json`, rate_per_sec: 50 } }]);
      expect(result(nav)).toMatchObject({ funds: 1, failed: 0, new_points: 1 });
      expect(source.hits.get("/nav/110011.json")).toBe(1);
      expect(source.hits.has("/nav/600519.SH.json")).toBe(false);

      // as_of: signals computed only from the points on or before the day.
      await t.database.db.instrument.deleteMany({});
      await t.database.db.navSeries.deleteMany({});
      await seedFunds(t.database.db, 4);
      const codes = (await t.database.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true }, orderBy: { code: "asc" } })).map(
        (r) => r.code,
      );
      const series = await loadSeries(t.database.db, codes);
      const money = new Set((await t.database.db.instrument.findMany({ where: { fundType: "money" }, select: { code: true } })).map((r) => r.code));
      const probe = series.get(codes[0])!;
      const asOf = ymd(probe.dates[probe.dates.length - 60]); // a trading day 60 points back
      const [sig, latest, screen] = await runAll([
        { type: "signals_batch", payload: { all: true, as_of: asOf } },
        { type: "signals_batch", payload: { fund_codes: [codes[0]] } },
        { type: "strategy_screen", payload: { strategy: "momentum_top_n", params: { top_n: 2 }, as_of: asOf } },
      ]);
      expect(sig.status, sig.error ?? "").toBe("succeeded");
      expect(result(sig)).toMatchObject({ funds: codes.length, as_of: asOf });
      const rows = await t.database.db.resultRow.findMany({ where: { taskId: sig.id } });
      expect(rows).toHaveLength(codes.length);
      for (const row of rows) {
        const data = JSON.parse(row.data) as { fund_code: string; as_of: string; signals: unknown[]; missing?: boolean };
        const cut = seriesAsOf(series.get(data.fund_code)!, parseYmd(asOf));
        expect(data.as_of).toBe(asOf);
        // A fund launched after the day had no data then: reported missing, like an unknown code.
        if (cut.dates.length === 0) expect(data).toMatchObject({ missing: true, signals: [] });
        else expect(data.signals).toEqual(computeSignals({ dates: cut.dates, values: adjustedNav(cut), moneyFund: money.has(data.fund_code) }));
      }
      const sigLog = (await t.database.db.runLog.findMany({ where: { runId: sig.runId as number } })).map((l) => l.message);
      expect(sigLog.some((m) => m.includes(`as of ${asOf}`))).toBe(true);
      // Without as_of the same fund is computed on its whole series (dates after asOf appear).
      const full = JSON.parse((await t.database.db.resultRow.findFirstOrThrow({ where: { taskId: latest.id } })).data) as {
        as_of?: string;
        signals: { date: string }[];
      };
      expect(full.as_of).toBeUndefined();
      expect(full.signals.some((s) => s.date > asOf)).toBe(true);
      expect(screen.status, screen.error ?? "").toBe("succeeded");
      expect(result(screen)).toMatchObject({ strategy: "momentum_top_n", as_of: asOf });
      // The screen ranks by the 20-day return of the adjusted NAV, computed here by hand.
      const expected = codes
        .filter((c) => !money.has(c))
        .map((c) => {
          const cut = seriesAsOf(series.get(c)!, parseYmd(asOf));
          const adj = handAdjusted(cut.dates, cut.nav, cut.actions);
          return { code: c, score: adj.length > 20 ? adj[adj.length - 1] / adj[adj.length - 21] - 1 : Number.NaN };
        })
        .filter((x) => Number.isFinite(x.score))
        .sort((a, b) => b.score - a.score)
        .slice(0, 2);
      const ranked = (await t.database.db.resultRow.findMany({ where: { taskId: screen.id } }))
        .map((r) => JSON.parse(r.data) as { rank: number; fund_code: string; score: number })
        .sort((a, b) => a.rank - b.rank);
      expect(ranked.map((r) => r.fund_code)).toEqual(expected.map((e) => e.code));
      ranked.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i].score, 6));
    });
  });
}
