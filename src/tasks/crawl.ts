/**
 * Crawl jobs (queue `crawl`): `fund_nav_sync` imports NAV series from a CSV file in the import
 * folder or from an HTTP source (JSON or CSV, one request per fund, rate-limited, retried),
 * reporting progress and a log line per fund; `fund_basic_sync` updates fund names and types.
 * Formats: src/domain/navImport.ts and the README. Source URLs come from the payload or from
 * configuration (QTASK_NAV_SOURCE_URL, QTASK_FUND_BASIC_URL).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as wait } from "node:timers/promises";
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { defineTask, TaskFailPermanently, type TaskContext } from "@/queue/registry";
import { loadSeries, saveSeries } from "@/domain/series";
import { mergePoints, parseNavCsv, parseNavJson, type NavPoint } from "@/domain/navImport";
import { FundCode } from "./shared";

/** Where `source: "file"` imports read from (nothing outside it). */
export function importDir(): string {
  return path.resolve(/* turbopackIgnore: true */ process.env.QTASK_IMPORT_DIR || path.join(".data", "import"));
}

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const NavSyncPayload = z.discriminatedUnion("source", [
  z.object({ source: z.literal("file"), path: z.string().min(1).max(300) }).strict(),
  z
    .object({
      source: z.literal("http"),
      /** `{code}` is replaced by each fund code; without it `?code=` is appended. */
      url: HttpUrl.optional(),
      fund_codes: z.array(FundCode).min(1).max(5_000),
      format: z.enum(["json", "csv"]).optional(),
      rate_per_sec: z.number().min(0.1).max(50).default(5),
      retries: z.number().int().min(0).max(5).default(3),
    })
    .strict(),
]);

async function importPoints(ctx: TaskContext, code: string, points: NavPoint[], name?: string): Promise<number> {
  const existing = (await loadSeries(ctx.db, [code])).get(code);
  const merged = mergePoints(code, existing, points);
  await saveSeries(ctx.db, merged, name ? { name } : {});
  return merged.dates.length - (existing?.dates.length ?? 0);
}

/** GET with retries on network errors, 429 and 5xx (exponential backoff); other statuses are final. */
async function fetchWithRetry(url: string, retries: number, signal: AbortSignal, log: TaskContext["log"]): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let res: Response | null = null;
    let problem: string;
    try {
      res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
      if (res.ok || (res.status < 500 && res.status !== 429)) return res;
      problem = `HTTP ${res.status}`;
    } catch (err) {
      signal.throwIfAborted();
      problem = (err as Error).message;
    }
    if (attempt >= retries) throw new Error(`${url}: ${problem} (after ${attempt + 1} tries)`);
    const delay = 500 * 2 ** attempt;
    log.warn(`${url}: ${problem}; retrying in ${delay} ms`);
    await wait(delay, undefined, { signal });
  }
}

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
  async run(ctx) {
    const p = ctx.payload;
    if (p.source === "file") {
      const dir = importDir();
      const file = path.resolve(/* turbopackIgnore: true */ dir, p.path);
      if (!file.startsWith(dir + path.sep)) throw new TaskFailPermanently(`path must be inside the import folder ${dir}`);
      const byCode = parseNavCsv(await fs.readFile(file, "utf8"));
      ctx.log.info(`${path.basename(file)}: ${byCode.size} funds`);
      let i = 0;
      let added = 0;
      for (const [code, points] of byCode) {
        ctx.signal.throwIfAborted();
        const n = await importPoints(ctx, code, points);
        added += n;
        ctx.log.info(`${code}: ${points.length} rows, ${n} new days`);
        ctx.progress((++i / byCode.size) * 100, `${i} / ${byCode.size}`);
      }
      return { funds: byCode.size, new_points: added };
    }

    const base = p.url ?? process.env.QTASK_NAV_SOURCE_URL;
    if (!base) throw new TaskFailPermanently("no NAV source URL: pass url or set QTASK_NAV_SOURCE_URL");
    const minGap = 1000 / p.rate_per_sec;
    let last = 0;
    const failed: string[] = [];
    let added = 0;
    for (const [i, code] of p.fund_codes.entries()) {
      // Rate limit: requests start at most rate_per_sec per second.
      const gap = last + minGap - Date.now();
      if (gap > 0) await wait(gap, undefined, { signal: ctx.signal });
      last = Date.now();
      const url = base.includes("{code}")
        ? base.replaceAll("{code}", encodeURIComponent(code))
        : `${base}${base.includes("?") ? "&" : "?"}code=${encodeURIComponent(code)}`;
      try {
        const res = await fetchWithRetry(url, p.retries, ctx.signal, ctx.log);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const isJson = p.format ? p.format === "json" : (res.headers.get("content-type") ?? "").includes("json");
        let points: NavPoint[];
        let name: string | undefined;
        if (isJson) {
          const j = parseNavJson(await res.json(), code);
          points = j.points;
          name = j.name;
        } else {
          points = parseNavCsv(await res.text(), code).get(code) ?? [];
        }
        const n = await importPoints(ctx, code, points, name);
        added += n;
        ctx.log.info(`${code}: ${points.length} points, ${n} new days`);
      } catch (err) {
        ctx.signal.throwIfAborted();
        failed.push(code);
        ctx.log.error(`${code}: ${(err as Error).message}`);
      }
      ctx.progress(((i + 1) / p.fund_codes.length) * 100, `${i + 1} / ${p.fund_codes.length}`);
    }
    if (failed.length === p.fund_codes.length) throw new Error(`every fund failed (${failed.length}); see the log`);
    return { funds: p.fund_codes.length, failed: failed.length, failed_codes: failed.slice(0, 50), new_points: added };
  },
});

const BasicRow = z.object({
  code: FundCode,
  name: z.string().min(1).max(100),
  fund_type: z.enum(["stock", "bond", "hybrid", "index", "money"]).optional(),
});

export const fundBasicSync = defineTask({
  name: "fund_basic_sync",
  title: "基金信息同步",
  description: "Updates fund names and types from an HTTP JSON array or CSV (code,name,fund_type).",
  category: "data_sync",
  queue: "crawl",
  mode: "fast",
  timeoutMs: 10 * 60_000,
  maxAttempts: 3,
  schema: z.object({ url: HttpUrl.optional(), retries: z.number().int().min(0).max(5).default(3) }).strict(),
  async run(ctx) {
    const url = ctx.payload.url ?? process.env.QTASK_FUND_BASIC_URL;
    if (!url) throw new TaskFailPermanently("no fund list URL: pass url or set QTASK_FUND_BASIC_URL");
    const res = await fetchWithRetry(url, ctx.payload.retries, ctx.signal, ctx.log);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const raw: unknown = (res.headers.get("content-type") ?? "").includes("json")
      ? await res.json()
      : parse(await res.text(), { columns: true, skip_empty_lines: true, trim: true, bom: true });
    const rows = z.array(BasicRow).max(100_000).parse(raw);
    let created = 0;
    for (const [i, r] of rows.entries()) {
      const before = await ctx.db.instrument.findUnique({ where: { code: r.code }, select: { code: true } });
      await ctx.db.instrument.upsert({
        where: { code: r.code },
        create: { code: r.code, name: r.name, kind: "fund", fundType: r.fund_type ?? null },
        update: { name: r.name, ...(r.fund_type ? { fundType: r.fund_type } : {}) },
      });
      if (!before) created++;
      if (i % 100 === 0) ctx.progress((i / rows.length) * 100, `${i} / ${rows.length}`);
    }
    ctx.log.info(`${rows.length} funds: ${created} new, ${rows.length - created} updated`);
    return { funds: rows.length, created, updated: rows.length - created };
  },
});
