/**
 * The real series the demo stands on (daily closes vendored from HQChart under data/hqchart/,
 * see its NOTICE) and the market model built from them: the trading calendar (the last five
 * years of 沪深300 dates), each index's daily returns, a shared bond factor and money yield.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FundType, InstrumentKind } from "@/contracts/funds";
import type { NavSeries } from "@/domain/series";
import { mix, Rng } from "./random";

/** One instrument of the demo universe. */
export interface DemoInstrument {
  code: string;
  name: string;
  kind: InstrumentKind;
  /** null for indices and stocks */
  fundType: FundType | null;
}

/** The vendored real series (data/hqchart/<code>.csv). */
export const REAL_INSTRUMENTS: readonly DemoInstrument[] = [
  { code: "000001.SH", name: "上证指数", kind: "index", fundType: null },
  { code: "399001.SZ", name: "深证成指", kind: "index", fundType: null },
  { code: "000300.SH", name: "沪深300", kind: "index", fundType: null },
  { code: "399005.SZ", name: "中小板指", kind: "index", fundType: null },
  { code: "399006.SZ", name: "创业板指", kind: "index", fundType: null },
  { code: "000001.SZ", name: "平安银行", kind: "stock", fundType: null },
  { code: "000151.SZ", name: "中成股份", kind: "stock", fundType: null },
  { code: "600000.SH", name: "浦发银行", kind: "stock", fundType: null },
];

/** The index whose dates are the funds' trading calendar and whose returns drive the market factor. */
export const MARKET_INDEX = "000300.SH";
/** Years of trading calendar the funds cover (counted back from the last real date). */
const FUND_YEARS = 5;

function defaultDataDir(): string {
  try {
    const here = fileURLToPath(import.meta.url);
    return path.resolve(path.dirname(here), "..", "..", "data", "hqchart");
  } catch {
    return path.resolve(process.cwd(), "data", "hqchart");
  }
}

/** One vendored CSV (`date,open,high,low,close,volume`) as a series of closes. */
export function readRealSeries(code: string, dir: string = defaultDataDir()): NavSeries {
  const text = fs.readFileSync(path.join(dir, `${code}.csv`), "utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = lines[0].split(",");
  const di = header.indexOf("date");
  const ci = header.indexOf("close");
  if (di < 0 || ci < 0) throw new Error(`${code}.csv: expected date and close columns, got ${lines[0]}`);
  const n = lines.length - 1;
  const dates = new Int32Array(n);
  const close = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(",");
    dates[i] = Number(cells[di].replaceAll("-", ""));
    close[i] = Number(cells[ci]);
    if (!(dates[i] > 19000101) || !(close[i] > 0)) throw new Error(`${code}.csv line ${i + 2}: bad row ${lines[i + 1]}`);
  }
  return { code, dates, nav: close, accNav: close.slice(), actions: [] };
}

// ---------------------------------------------------------------------------------------
// The market model

const DAY_MS = 86_400_000;
const dayNumber = (yyyymmdd: number) => Date.UTC(Math.floor(yyyymmdd / 10000), (Math.floor(yyyymmdd / 100) % 100) - 1, yyyymmdd % 100) / DAY_MS;

/** The market every synthetic fund is simulated on. */
export interface Market {
  dates: Int32Array;
  /** Daily returns of each real index on the calendar (index 0 is 0). */
  index: Map<string, Float64Array>;
  /** Shared bond-market (rate) factor, daily returns. */
  bond: Float64Array;
  /** Shared money-market yield level per day (annual, e.g. 0.021). */
  moneyYield: Float64Array;
  /** Calendar days since the previous trading day (interest accrues on weekends too). */
  gapDays: Float64Array;
}

function returnsOn(dates: Int32Array, s: NavSeries): Float64Array {
  const close = new Map<number, number>();
  for (let i = 0; i < s.dates.length; i++) close.set(s.dates[i], s.nav[i]);
  const out = new Float64Array(dates.length);
  for (let t = 1; t < dates.length; t++) {
    const a = close.get(dates[t - 1]);
    const b = close.get(dates[t]);
    out[t] = a && b ? b / a - 1 : 0;
  }
  return out;
}

/** The calendar, index returns and shared factors of the demo market (deterministic in `seed`). */
export function buildMarket(real: Map<string, NavSeries>, seed: number): Market {
  const hs300 = real.get(MARKET_INDEX);
  if (!hs300 || hs300.dates.length === 0) throw new Error(`the market index ${MARKET_INDEX} has no data`);
  const last = hs300.dates[hs300.dates.length - 1];
  const from = last - FUND_YEARS * 10000;
  let start = 0;
  while (start < hs300.dates.length && hs300.dates[start] <= from) start++;
  const dates = hs300.dates.slice(start);
  const n = dates.length;
  const index = new Map<string, Float64Array>();
  for (const { code } of REAL_INSTRUMENTS.filter((i) => i.kind === "index")) {
    const s = real.get(code);
    if (s) index.set(code, returnsOn(dates, s));
  }
  const rng = new Rng(mix(seed, 0x5eed));
  // Rate factor: the price return of a duration-4 bond on a mean-reverting yield that drifts
  // down ~80 bp over the window (as Chinese bond yields did), with clustered 2 bp/day shocks;
  // mean reversion keeps the factor's cumulative return bounded whatever the seed.
  const bond = new Float64Array(n);
  let h = 0.0002 ** 2;
  let shock = 0;
  let y = 0;
  for (let t = 1; t < n; t++) {
    h = 0.0002 ** 2 * 0.05 + 0.1 * shock * shock + 0.85 * h;
    shock = Math.sqrt(h) * rng.t5();
    const target = (-0.008 * t) / n;
    const next = target + 0.99 * (y - target) + shock;
    bond[t] = -4 * (next - y);
    y = next;
  }
  // Money-market yield: drifts from ~2.5 % to ~1.8 % over the window, mean-reverting noise.
  const moneyYield = new Float64Array(n);
  let dev = 0;
  for (let t = 0; t < n; t++) {
    dev = 0.985 * dev + 0.0004 * rng.normal();
    moneyYield[t] = Math.max(0.008, 0.025 - (0.007 * t) / Math.max(1, n - 1) + dev);
  }
  const gapDays = new Float64Array(n);
  for (let t = 1; t < n; t++) gapDays[t] = dayNumber(dates[t]) - dayNumber(dates[t - 1]);
  gapDays[0] = 1;
  return { dates, index, bond, moneyYield, gapDays };
}
