/**
 * Crawl jobs (queue `crawl`): `fund_nav_sync` imports NAV series from a CSV file in the import
 * folder or from an HTTP source (JSON or CSV, one request per fund, rate-limited, retried),
 * reporting progress and a log line per fund (every fund in the database when no list is given);
 * `fund_basic_sync` updates fund, stock and index names (and fund types).
 * Formats: src/domain/navImport.ts and the README. Source URLs come from the payload or from
 * configuration (QTASK_NAV_SOURCE_URL, QTASK_FUND_BASIC_URL).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as wait } from "node:timers/promises";
import { z } from "zod";
import { defineTask, TaskFailPermanently, type TaskContext } from "@/queue/registry";
import { loadSeries, saveSeries } from "@/domain/series";
import { mergePoints, parseNavCsv, parseNavJson, type NavPoint } from "@/domain/navImport";
import { fetchFeed, HttpUrl, parseTable, validateRows } from "./http";
import { FundCode } from "@/contracts/funds";
import { needsFeedUrl } from "./feedUrl";

/** Where `source: "file"` imports read from (nothing outside it). */
export function importDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.QTASK_IMPORT_DIR || path.join(".data", "import"));
}

export const NavSyncPayload = z.discriminatedUnion("source", [
  z.object({ source: z.literal("file"), path: z.string().min(1).max(300) }).strict(),
  z
    .object({
      source: z.literal("http"),
      /** `{code}` is replaced by each fund code; without it `?code=` is appended. */
      url: HttpUrl.optional(),
      /** Omitted: every instrument of kind fund in the database (a daily schedule needs no list). */
      fund_codes: z.array(FundCode).min(1).max(5_000).optional(),
      format: z.enum(["json", "csv"]).optional(),
      rate_per_sec: z.number().min(0.1).max(50).default(5),
      retries: z.number().int().min(0).max(5).default(3),
    })
    .strict(),
]);

async function importPoints(ctx: TaskContext, code: string, points: NavPoint[], hasActions: boolean, name?: string): Promise<number> {
  const existing = (await loadSeries(ctx.db, [code])).get(code);
  const merged = mergePoints(code, existing, points, hasActions);
  await saveSeries(ctx.db, merged, name ? { name } : {});
  return merged.dates.length - (existing?.dates.length ?? 0);
}

/** The NAV sync reads its HTTP source from here (or the payload's url). */
const navSourceUrl = needsFeedUrl("QTASK_NAV_SOURCE_URL");

export const fundNavSync = defineTask({
  name: "fund_nav_sync",
  title: "净值同步",
  description: "Imports NAV series from a CSV file in the import folder or from an HTTP JSON/CSV source.",
  category: "data_sync",
  queue: "crawl",
  mode: "fast",
  timeoutMs: 60 * 60_000,
  maxAttempts: 3,
  schema: NavSyncPayload,
  // Only `source: "http"` reads a feed; file imports need no URL.
  unavailable: (payload) => {
    const source = (payload as { source?: unknown } | null)?.source;
    return typeof source === "string" && source !== "http" ? null : navSourceUrl(payload);
  },
  async run(ctx) {
    const p = ctx.payload;
    if (p.source === "file") {
      const dir = importDir();
      const file = path.resolve(/* turbopackIgnore: true */ dir, p.path);
      if (!file.startsWith(dir + path.sep)) throw new TaskFailPermanently(`path must be inside the import folder ${dir}`);
      const { byCode, hasActions } = parseNavCsv(await fs.readFile(file, "utf8"));
      ctx.log.info(`${path.basename(file)}: ${byCode.size} funds`);
      let i = 0;
      let added = 0;
      for (const [code, points] of byCode) {
        ctx.signal.throwIfAborted();
        const n = await importPoints(ctx, code, points, hasActions);
        added += n;
        ctx.log.info(`${code}: ${points.length} rows, ${n} new days`);
        ctx.progress((++i / byCode.size) * 100, `${i} / ${byCode.size}`);
      }
      return { funds: byCode.size, new_points: added };
    }

    const base = p.url ?? process.env.QTASK_NAV_SOURCE_URL;
    if (!base) throw new TaskFailPermanently("no NAV source URL: pass url or set QTASK_NAV_SOURCE_URL");
    const codes =
      p.fund_codes ??
      (await ctx.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true }, orderBy: { code: "asc" } })).map((r) => r.code);
    if (!p.fund_codes) ctx.log.info(`no fund_codes given: syncing all ${codes.length} funds in the database`);
    if (codes.length === 0) {
      ctx.log.warn("no funds to sync");
      return { funds: 0, failed: 0, failed_codes: [], new_points: 0 };
    }
    const minGap = 1000 / p.rate_per_sec;
    let last = 0;
    const failed: string[] = [];
    let added = 0;
    for (const [i, code] of codes.entries()) {
      // Rate limit: requests start at most rate_per_sec per second.
      const gap = last + minGap - Date.now();
      if (gap > 0) await wait(gap, undefined, { signal: ctx.signal });
      last = Date.now();
      const url = base.includes("{code}")
        ? base.replaceAll("{code}", encodeURIComponent(code))
        : `${base}${base.includes("?") ? "&" : "?"}code=${encodeURIComponent(code)}`;
      try {
        const res = await fetchFeed(url, p.retries, ctx.signal, ctx.log);
        const isJson = p.format ? p.format === "json" : (res.contentType ?? "").includes("json");
        let points: NavPoint[];
        let hasActions: boolean;
        let name: string | undefined;
        if (isJson) {
          let value: unknown;
          try {
            value = JSON.parse(res.text);
          } catch {
            throw new Error("not valid JSON"); // JSON.parse's message would quote the body
          }
          const j = parseNavJson(value, code);
          points = j.points;
          hasActions = j.hasActions;
          name = j.name;
        } else {
          const csv = parseNavCsv(res.text, code);
          points = csv.byCode.get(code) ?? [];
          hasActions = csv.hasActions;
        }
        const n = await importPoints(ctx, code, points, hasActions, name);
        added += n;
        ctx.log.info(`${code}: ${points.length} points, ${n} new days`);
      } catch (err) {
        ctx.signal.throwIfAborted();
        failed.push(code);
        ctx.log.error(`${code}: ${(err as Error).message}`);
      }
      ctx.progress(((i + 1) / codes.length) * 100, `${i + 1} / ${codes.length}`);
    }
    if (failed.length === codes.length) throw new Error(`every fund failed (${failed.length}); see the log`);
    return { funds: codes.length, failed: failed.length, failed_codes: failed.slice(0, 50), new_points: added };
  },
});

const BasicRow = z
  .object({
    code: FundCode,
    name: z.string().min(1).max(100),
    /** fund (when left out), stock or index: the same feed can carry stock basic info. */
    kind: z.enum(["fund", "stock", "index"]).optional(),
    fund_type: z.enum(["stock", "bond", "hybrid", "index", "money"]).optional(),
  })
  .refine((r) => !r.fund_type || (r.kind ?? "fund") === "fund", { path: ["fund_type"], message: "fund_type is for funds only" });

/** Instruments written per transaction. */
const BASIC_CHUNK = 500;

export const fundBasicSync = defineTask({
  name: "fund_basic_sync",
  title: "基金/股票信息同步",
  description: "Updates fund, stock and index names (and fund types) from an HTTP JSON array or CSV (code,name,kind?,fund_type?).",
  category: "data_sync",
  queue: "crawl",
  mode: "fast",
  timeoutMs: 10 * 60_000,
  maxAttempts: 3,
  schema: z.object({ url: HttpUrl.optional(), retries: z.number().int().min(0).max(5).default(3) }).strict(),
  unavailable: needsFeedUrl("QTASK_FUND_BASIC_URL"),
  async run(ctx) {
    const url = ctx.payload.url ?? process.env.QTASK_FUND_BASIC_URL;
    if (!url) throw new TaskFailPermanently("no fund list URL: pass url or set QTASK_FUND_BASIC_URL");
    const res = await fetchFeed(url, ctx.payload.retries, ctx.signal, ctx.log);
    const rows = validateRows(parseTable(res.text, res.contentType), BasicRow);
    const kinds = { fund: 0, stock: 0, index: 0 };
    let created = 0;
    for (let i = 0; i < rows.length; i += BASIC_CHUNK) {
      ctx.signal.throwIfAborted();
      const chunk = rows.slice(i, i + BASIC_CHUNK);
      const existing = new Set(
        (await ctx.db.instrument.findMany({ where: { code: { in: chunk.map((r) => r.code) } }, select: { code: true } })).map((r) => r.code),
      );
      await ctx.db.$transaction(
        chunk.map((r) => {
          kinds[r.kind ?? "fund"]++;
          // Counted once even when the feed repeats a code (the later row wins).
          if (!existing.has(r.code)) created++;
          existing.add(r.code);
          // A row without kind creates a fund but leaves an existing instrument's kind alone, so
          // a funds-only feed cannot turn a stock into a fund; a stock or index has no fund type.
          const kindUpdate = r.kind ? { kind: r.kind, ...(r.kind !== "fund" ? { fundType: null } : {}) } : {};
          return ctx.db.instrument.upsert({
            where: { code: r.code },
            create: { code: r.code, name: r.name, kind: r.kind ?? "fund", fundType: r.fund_type ?? null },
            update: { name: r.name, ...kindUpdate, ...(r.fund_type ? { fundType: r.fund_type } : {}) },
          });
        }),
      );
      ctx.progress(((i + chunk.length) / rows.length) * 100, `${i + chunk.length} / ${rows.length}`);
    }
    ctx.log.info(
      `${rows.length} instruments (${kinds.fund} funds, ${kinds.stock} stocks, ${kinds.index} indices): ${created} new, ${rows.length - created} updated`,
    );
    return { instruments: rows.length, funds: kinds.fund, stocks: kinds.stock, indices: kinds.index, created, updated: rows.length - created };
  },
});
