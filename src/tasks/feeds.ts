/**
 * Market data feed jobs (queue `crawl`): realtime quotes, financial statements, 龙虎榜 (top list)
 * and capital flow. Each fetches one HTTP feed (JSON array, `{items: [...]}` or CSV; see
 * src/tasks/http.ts), validates every row, and upserts the rows into `market_records` under
 * (dataset, code, date) — the run's date, or the report period for statements — in chunks,
 * each in one transaction. One factory builds all four; a dataset differs only in its row schema.
 *
 * Payload: {url?, date?, codes?, retries}. The URL comes from the payload or the type's feedEnv
 * variable; `{date}` in it is replaced by the date, otherwise `?date=` is appended when a date
 * is given. Without a date a run is for today on the Shanghai calendar.
 */
import { z } from "zod";
import { defineTask, TaskFailPermanently, type FastTask } from "@/queue/registry";
import { feedNumber, fetchFeed, HttpUrl, parseTable, validateRows } from "./http";
import { redactUrl } from "@/queue/redact";
import { FundCode, Ymd } from "@/contracts/funds";
import { shanghaiToday } from "@/domain/calendar";
import { needsFeedUrl } from "./feedUrl";

/** Rows written per transaction. */
const CHUNK = 500;

/** The payload of every feed job. */
export const FeedPayload = z
  .object({
    /** Overrides the type's feedEnv URL. */
    url: HttpUrl.optional(),
    /** The day to fetch and store (YYYY-MM-DD); default today in Asia/Shanghai. */
    date: Ymd.optional(),
    /** Keep only these codes of the feed. */
    codes: z.array(FundCode).min(1).max(10_000).optional(),
    retries: z.number().int().min(0).max(5).default(3),
  })
  .strict();
export type FeedPayload = z.infer<typeof FeedPayload>;

/** The `market_records.dataset` values the feed jobs write. */
export type Dataset = "quotes" | "financials" | "top_list" | "capital_flow";

/** What distinguishes one feed job from another. */
interface FeedSpec<R extends { code: string }> {
  name: string;
  title: string;
  description: string;
  dataset: Dataset;
  feedEnv: string;
  row: z.ZodType<R>;
  /** The date a row is stored under when it carries its own (statements: the report period); default the run's date. */
  dateOf?: (row: R) => string;
}

/** The URL of one run: `{date}` replaced, or `date=` appended when the payload names a day. */
export function feedUrl(base: string, date: string, dateGiven: boolean): string {
  if (base.includes("{date}")) return base.replaceAll("{date}", encodeURIComponent(date));
  if (!dateGiven) return base;
  return `${base}${base.includes("?") ? "&" : "?"}date=${encodeURIComponent(date)}`;
}

/** Builds the task type of one feed: fetch, validate, filter, upsert in chunks, report. */
export function defineFeed<R extends { code: string }>(spec: FeedSpec<R>): FastTask<FeedPayload> {
  return defineTask({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    category: "data_sync",
    queue: "crawl",
    mode: "fast",
    timeoutMs: 30 * 60_000,
    maxAttempts: 3,
    schema: FeedPayload,
    unavailable: needsFeedUrl(spec.feedEnv),
    asOfField: "date",
    async run(ctx) {
      const p = ctx.payload;
      const base = p.url ?? process.env[spec.feedEnv];
      if (!base) throw new TaskFailPermanently(`no ${spec.dataset} feed URL: pass url or set ${spec.feedEnv}`);
      const date = p.date ?? shanghaiToday();
      let url: string;
      try {
        url = feedUrl(base, date, p.date !== undefined);
        new URL(url);
      } catch {
        // Only the env var can get here (a payload url is validated): name it, not the value.
        throw new TaskFailPermanently(`${spec.feedEnv} is not a valid URL`);
      }

      ctx.progress(0, "下载 / fetching");
      const res = await fetchFeed(url, p.retries, ctx.signal, ctx.log);
      const raw = parseTable(res.text, res.contentType);
      ctx.log.info(`fetched ${raw.length} rows from ${redactUrl(url)} for ${date}`);
      ctx.progress(10, `校验 / validating ${raw.length} rows`);
      let rows = validateRows(raw, spec.row);

      let filteredOut = 0;
      if (p.codes) {
        const wanted = new Set(p.codes);
        const kept = rows.filter((r) => wanted.has(r.code));
        filteredOut = rows.length - kept.length;
        const seen = new Set(kept.map((r) => r.code));
        const absent = p.codes.filter((c) => !seen.has(c));
        ctx.log.info(`codes filter: kept ${kept.length} rows, dropped ${filteredOut}`);
        if (absent.length) ctx.log.warn(`not in the feed: ${absent.slice(0, 10).join(", ")}${absent.length > 10 ? " …" : ""}`);
        rows = kept;
      }

      // One record per (code, date): a feed that repeats a key keeps its last row.
      const records = new Map<string, { code: string; date: string; data: string; row: R }>();
      for (const row of rows) {
        const d = spec.dateOf?.(row) ?? date;
        records.set(`${row.code}@${d}`, { code: row.code, date: d, data: JSON.stringify(row), row });
      }
      const duplicates = rows.length - records.size;
      if (duplicates) ctx.log.warn(`${duplicates} repeated rows (same code and date): the last one of each is kept`);

      const list = [...records.values()];
      const counts = { inserted: 0, updated: 0, unchanged: 0 };
      for (let i = 0; i < list.length; i += CHUNK) {
        ctx.signal.throwIfAborted();
        const chunk = list.slice(i, i + CHUNK);
        const stored = await ctx.db.marketRecord.findMany({
          where: {
            dataset: spec.dataset,
            code: { in: [...new Set(chunk.map((r) => r.code))] },
            date: { in: [...new Set(chunk.map((r) => r.date))] },
          },
          select: { code: true, date: true, data: true },
        });
        const before = new Map(stored.map((s) => [`${s.code}@${s.date}`, s.data]));
        // Rows identical to what is stored are not written, so updated_at says when data last changed.
        const writes = chunk.filter((r) => {
          const old = before.get(`${r.code}@${r.date}`);
          if (old === undefined) counts.inserted++;
          else if (old === r.data) counts.unchanged++;
          else counts.updated++;
          return old !== r.data;
        });
        if (writes.length)
          await ctx.db.$transaction(
            writes.map((r) =>
              ctx.db.marketRecord.upsert({
                where: { dataset_code_date: { dataset: spec.dataset, code: r.code, date: r.date } },
                create: { dataset: spec.dataset, code: r.code, date: r.date, data: r.data },
                update: { data: r.data },
              }),
            ),
          );
        await ctx.addResults(chunk.map((r) => ({ key: spec.dateOf ? `${r.code}@${r.date}` : r.code, data: { ...r.row, date: r.date } })));
        const done = i + chunk.length;
        ctx.progress(10 + (done / list.length) * 90, `${done} / ${list.length}`);
      }
      ctx.log.info(
        `${list.length} ${spec.dataset} rows stored: ${counts.inserted} inserted, ${counts.updated} updated, ${counts.unchanged} unchanged`,
      );
      if (list.length === 0) ctx.log.warn("the feed had no rows to store");
      return {
        dataset: spec.dataset,
        date,
        source: redactUrl(url),
        fetched: raw.length,
        stored: list.length,
        ...counts,
        filtered_out: filteredOut,
        duplicates,
      };
    },
  });
}

const Amount = feedNumber();
const NonNegative = feedNumber(z.number().nonnegative());

/** Realtime quotes: one row per code for the day (the last quote fetched wins). */
export const realtimeQuotesSync = defineFeed({
  name: "realtime_quotes_sync",
  title: "实时行情同步",
  description: "Imports realtime quotes (code, price, change_pct, volume, amount, time) into market_records for the day.",
  dataset: "quotes",
  feedEnv: "QTASK_QUOTES_URL",
  row: z.object({
    code: FundCode,
    price: NonNegative,
    change_pct: Amount.optional(),
    volume: NonNegative.optional(),
    amount: NonNegative.optional(),
    time: z.string().max(40).optional(),
  }),
});

/** Financial statements: one row per code and report period (period end YYYY-MM-DD). */
export const financialStatementsSync = defineFeed({
  name: "financial_statements_sync",
  title: "财务报表同步",
  description: "Imports financial statement figures (revenue, net profit, assets, equity, EPS, ROE) per code and report period into market_records.",
  dataset: "financials",
  feedEnv: "QTASK_FINANCIALS_URL",
  row: z.object({
    code: FundCode,
    period: Ymd,
    revenue: Amount.optional(),
    net_profit: Amount.optional(),
    total_assets: Amount.optional(),
    total_equity: Amount.optional(),
    eps: Amount.optional(),
    roe: Amount.optional(),
  }),
  dateOf: (r) => r.period,
});

/** 龙虎榜: the stocks on the exchanges' top list of the day, with why and the seats' amounts. */
export const topListSync = defineFeed({
  name: "top_list_sync",
  title: "龙虎榜抓取",
  description: "Imports the day's top list (龙虎榜: code, name, reason, buy/sell/net amounts) into market_records.",
  dataset: "top_list",
  feedEnv: "QTASK_TOP_LIST_URL",
  row: z.object({
    code: FundCode,
    name: z.string().max(100).optional(),
    reason: z.string().min(1).max(500),
    buy_amount: NonNegative.optional(),
    sell_amount: NonNegative.optional(),
    net_amount: Amount.optional(),
  }),
});

/** Capital flow: net inflows by order size for the day (negative = outflow). */
export const capitalFlowSync = defineFeed({
  name: "capital_flow_sync",
  title: "资金流向抓取",
  description: "Imports the day's capital flow (main, super large, large, medium and small net inflows) per code into market_records.",
  dataset: "capital_flow",
  feedEnv: "QTASK_CAPITAL_FLOW_URL",
  row: z.object({
    code: FundCode,
    main_net_inflow: Amount,
    super_large_net: Amount.optional(),
    large_net: Amount.optional(),
    medium_net: Amount.optional(),
    small_net: Amount.optional(),
  }),
});
