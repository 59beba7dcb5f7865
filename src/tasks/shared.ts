/** Small helpers shared by the domain task types. */
import type { Db } from "@/db/client";
import { loadSeries, parseYmd, type NavSeries } from "@/domain/series";
import { adjustedNav } from "@/domain/adjusted";

/** A series as the compute functions take it: the adjusted NAV, and whether it is a money market fund. */
export interface ComputeSeries {
  code: string;
  dates: Int32Array;
  values: Float64Array;
  moneyFund: boolean;
}

/** The codes of the money market funds (one query; a task asks once, not per chunk). */
export async function moneyFundCodes(db: Db): Promise<Set<string>> {
  return new Set((await db.instrument.findMany({ where: { fundType: "money" }, select: { code: true } })).map((r) => r.code));
}

/** The compute inputs of `series`: adjusted NAV (dividends reinvested, splits undone), marked when a money market fund. */
export function computeInputs(series: Iterable<NavSeries>, money: ReadonlySet<string>): ComputeSeries[] {
  return [...series].map((s) => ({ code: s.code, dates: s.dates, values: adjustedNav(s), moneyFund: money.has(s.code) }));
}

/**
 * The series cut to the points on or before `asOf` (yyyymmdd), so an "as of" run sees only
 * what was known that day. Copies (not views): the compute pool clones whole buffers, and the
 * later points must not travel with the input.
 */
export function seriesAsOf(s: NavSeries, asOf: number): NavSeries {
  // Dates strictly increase (checkSeries), so the cut is a binary search for the first later day.
  let lo = 0;
  let hi = s.dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.dates[mid] <= asOf) lo = mid + 1;
    else hi = mid;
  }
  if (lo === s.dates.length) return s;
  return {
    code: s.code,
    dates: s.dates.slice(0, lo),
    nav: s.nav.slice(0, lo),
    accNav: s.accNav.slice(0, lo),
    actions: s.actions.filter((a) => a.date <= asOf),
  };
}

/**
 * loadSeries, cut to `asOf` (YYYY-MM-DD) when given; a series with no point by then is left
 * out, as if it did not exist yet (it did not: the fund launched later).
 */
export async function loadSeriesAsOf(db: Db, codes: string[], asOf?: string): Promise<Map<string, NavSeries>> {
  const series = await loadSeries(db, codes);
  if (asOf === undefined) return series;
  const cut = parseYmd(asOf);
  const out = new Map<string, NavSeries>();
  for (const [code, s] of series) {
    const t = seriesAsOf(s, cut);
    if (t.dates.length > 0) out.set(code, t);
  }
  return out;
}

/**
 * Runs `fn` over `items` in chunks of `size`, with as many chunks in flight as the compute
 * pool can use (the pool queues the rest), stopping at the first error or when aborted.
 */
export async function forEachChunk<T>(items: T[], size: number, signal: AbortSignal, fn: (chunk: T[]) => Promise<void>, parallel = 4): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      signal.throwIfAborted();
      const start = next;
      next += size;
      await fn(items.slice(start, start + size));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.ceil(items.length / size)) }, lane));
}
