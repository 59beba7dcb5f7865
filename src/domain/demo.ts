/**
 * The demo universe: five real indices and three real stocks (daily closes vendored from
 * HQChart under data/hqchart/, see its NOTICE) plus any number of synthetic mutual funds whose
 * NAVs are simulated over the real trading calendar (the last five years of 沪深300 dates).
 *
 * Every fund is deterministic given (seed, its position): a seeded PRNG (mulberry32), never
 * Math.random. Daily fund return = drift + beta × the real index return (+ a growth tilt on
 * the 创业板指 − 沪深300 spread for active equity funds, + a shared bond-market factor for bond
 * funds) + idiosyncratic noise with volatility clustering (GARCH(1,1) on Student-t shocks,
 * ν = 5). Per type:
 *   stock   beta 0.8–1.2, growth tilt, idiosyncratic vol 0.6–1.1 %/day
 *   hybrid  beta 0.4–0.7, smaller tilt, 0.35–0.7 %/day, some bond carry
 *   index   ETF / ETF联接 / 指数增强 on one of the five real indices: beta ≈ 1, tiny noise
 *   bond    beta ≈ 0.02, duration on a shared rate factor, 2.5–4.5 %/yr carry, low vol
 *   money   unit NAV fixed at 1.0000; accumulated NAV accrues ~1.5–2.6 %/yr per calendar day
 * Some funds pay cash dividends: unit NAV drops by the dividend, accumulated NAV does not.
 * About one fund in seven launches inside the window (NAV 1.0000, beta ramping up while it
 * builds its positions), so series lengths differ.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "@/db/client";
import { encodeSeries, summarize, type NavSeries } from "./series";

export type InstrumentKind = "fund" | "stock" | "index";
export type FundType = "stock" | "bond" | "hybrid" | "index" | "money";

export interface DemoInstrument {
  code: string;
  name: string;
  kind: InstrumentKind;
  /** null for indices and stocks */
  fundType: FundType | null;
}

export interface DemoUniverse {
  /** The real series first (indices, then stocks), then the `count` funds. */
  instruments: DemoInstrument[];
  /** Same order as `instruments`. */
  series: NavSeries[];
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
  return { code, dates, nav: close, accNav: close.slice() };
}

// ---------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a 32-bit seed (so fund i's stream does not depend on the count). */
function mix(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul((b + 0x632be5ab) >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

class Rng {
  private readonly u: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.u = mulberry32(seed);
  }
  next(): number {
    return this.u();
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  int(n: number): number {
    return Math.floor(this.u() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.u() * total;
    for (const [v, w] of items) if ((x -= w) < 0) return v;
    return items[items.length - 1][0];
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u1 = this.u();
    while (u1 <= 1e-300) u1 = this.u();
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * this.u();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
  /** Student-t with 5 degrees of freedom, scaled to unit variance (fat tails). */
  t5(): number {
    const z = this.normal();
    const g = this.normal();
    // χ²(5) = χ²(4) + χ²(1), and χ²(4) = −2 ln(u1 u2): one logarithm instead of four normals.
    const chi = -2 * Math.log((1 - this.u()) * (1 - this.u())) + g * g;
    // Var(t_ν) = ν/(ν−2): scale by sqrt((ν−2)/ν) = sqrt(3/5).
    return (z / Math.sqrt(chi / 5)) * 0.7745966692414834;
  }
}

// ---------------------------------------------------------------------------------------
// Names and codes

const COMPANIES = [
  "华夏",
  "南方",
  "易方达",
  "嘉实",
  "博时",
  "广发",
  "汇添富",
  "富国",
  "招商",
  "工银瑞信",
  "建信",
  "鹏华",
  "中欧",
  "景顺长城",
  "兴证全球",
  "交银施罗德",
  "银华",
  "大成",
  "华安",
  "国泰",
  "天弘",
  "诺安",
  "长城",
  "融通",
  "前海开源",
  "华宝",
  "万家",
  "中银",
  "平安",
  "东方红",
  "永赢",
  "浦银安盛",
  "农银汇理",
  "财通",
  "国投瑞银",
  "华泰柏瑞",
  "申万菱信",
  "泰康",
  "睿远",
  "圆信永丰",
] as const;
const STOCK_THEMES = [
  "成长",
  "价值",
  "蓝筹精选",
  "消费升级",
  "医疗健康",
  "新能源",
  "科技创新",
  "高端制造",
  "优质企业",
  "核心资产",
  "红利",
  "低碳环保",
  "半导体",
  "国防军工",
  "中小盘",
  "行业轮动",
  "内需增长",
  "品质生活",
  "研究精选",
  "专精特新",
  "数字经济",
  "大盘",
  "质量优选",
  "创新驱动",
  "先进制造",
  "周期精选",
  "金融地产",
  "新消费",
  "智能汽车",
  "生物科技",
] as const;
const HYBRID_THEMES = [
  "稳健",
  "灵活配置",
  "平衡",
  "优势",
  "新动力",
  "价值精选",
  "均衡成长",
  "安心回报",
  "动态",
  "新兴产业",
  "策略精选",
  "趋势",
  "领先",
  "双核",
  "鑫享",
  "稳进",
  "多策略",
  "核心优选",
  "景气",
  "远见",
  "睿选",
  "嘉享",
  "配置",
  "优选回报",
  "长期价值",
  "竞争优势",
  "盛世",
  "添益",
  "新经济",
  "恒久",
] as const;
const BOND_THEMES = [
  "纯债",
  "信用",
  "增利",
  "稳利",
  "安心收益",
  "短债",
  "中短债",
  "双债增强",
  "可转债",
  "恒利",
  "季季红",
  "裕利",
  "丰利",
  "稳健添利",
  "聚利",
  "安盈",
  "利率债",
  "月月盈",
  "信用精选",
  "长债",
] as const;
const MONEY_THEMES = ["现金宝", "", "天天利", "添利宝", "日日鑫", "现金增利", "安心", "财富宝", "理财宝", "活期宝", "薪金宝", "收益宝"] as const;
/** Names the tracked indices go by in fund names. */
const INDEX_LABELS: Record<string, string> = {
  "000300.SH": "沪深300",
  "399006.SZ": "创业板",
  "399005.SZ": "中小板",
  "000001.SH": "上证综指",
  "399001.SZ": "深证成指",
};

type IndexStyle = "etf" | "feeder" | "enhanced" | "plain";

function fundName(rng: Rng, type: FundType, opts: { index?: string; style?: IndexStyle }): string {
  const co = rng.pick(COMPANIES);
  const ac = rng.weighted([
    ["A", 6],
    ["C", 3],
    ["", 1],
  ] as const);
  switch (type) {
    case "stock":
      return `${co}${rng.pick(STOCK_THEMES)}股票${ac}`;
    case "hybrid":
      return `${co}${rng.pick(HYBRID_THEMES)}混合${ac}`;
    case "bond":
      return `${co}${rng.pick(BOND_THEMES)}债券${ac === "" ? "A" : ac}`;
    case "money":
      return `${co}${rng.pick(MONEY_THEMES)}货币${rng.weighted([
        ["A", 3],
        ["B", 1],
      ] as const)}`;
    case "index": {
      const label = INDEX_LABELS[opts.index ?? MARKET_INDEX];
      switch (opts.style) {
        case "etf":
          return `${co}${label}ETF`;
        case "feeder":
          return `${co}${label}ETF联接${ac === "" ? "A" : ac}`;
        case "enhanced":
          return `${co}${label}指数增强${ac}`;
        default:
          return `${co}${label}指数${ac}`;
      }
    }
  }
}

const CODE_PREFIXES: Record<FundType | "etf", readonly (readonly [string, number])[]> = {
  stock: [
    ["00", 5],
    ["01", 3],
    ["16", 1],
    ["11", 1],
    ["26", 1],
  ],
  hybrid: [
    ["00", 5],
    ["01", 3],
    ["16", 1],
    ["11", 1],
    ["21", 1],
  ],
  bond: [
    ["00", 4],
    ["01", 3],
    ["11", 1],
    ["16", 1],
    ["25", 1],
  ],
  money: [
    ["00", 4],
    ["20", 1],
    ["27", 1],
    ["01", 2],
  ],
  index: [
    ["00", 4],
    ["01", 3],
    ["16", 2],
    ["11", 1],
  ],
  etf: [
    ["51", 3],
    ["159", 2],
  ],
};

function fundCode(rng: Rng, kind: FundType | "etf"): string {
  const prefix = rng.weighted(CODE_PREFIXES[kind]);
  let rest = "";
  for (let i = prefix.length; i < 6; i++) rest += String(rng.int(10));
  return prefix + rest;
}

// ---------------------------------------------------------------------------------------
// Simulation

const round4 = (x: number) => Math.round(x * 10000) / 10000;
const DAY_MS = 86_400_000;
const dayNumber = (yyyymmdd: number) => Date.UTC(Math.floor(yyyymmdd / 10000), (Math.floor(yyyymmdd / 100) % 100) - 1, yyyymmdd % 100) / DAY_MS;

interface Market {
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

function buildMarket(real: Map<string, NavSeries>, seed: number): Market {
  const hs300 = real.get(MARKET_INDEX);
  if (!hs300 || hs300.dates.length === 0) throw new Error(`the market index ${MARKET_INDEX} has no data`);
  const last = hs300.dates[hs300.dates.length - 1];
  const from = last - FUND_YEARS * 10000;
  let start = 0;
  while (start < hs300.dates.length && hs300.dates[start] <= from) start++;
  const dates = hs300.dates.slice(start);
  const n = dates.length;
  const index = new Map<string, Float64Array>();
  for (const code of Object.keys(INDEX_LABELS)) {
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

interface FundSpec {
  type: FundType;
  style?: IndexStyle;
  /** Tracked index (index funds) or the market index. */
  bench: string;
  beta: number;
  /** Loading on the 创业板指 − 沪深300 spread. */
  tilt: number;
  /** Loading on the shared bond factor. */
  duration: number;
  /** Daily drift (alpha + carry − fees). */
  drift: number;
  /** Long-run daily idiosyncratic volatility. */
  vol: number;
  /** Money funds: offset to the shared yield. */
  yieldOffset: number;
  /** Daily chance of a dividend once the NAV is above `divFloor`; 0 = never pays. */
  divChance: number;
  divFloor: number;
  /** Fraction of the NAV above 1 paid out. */
  divShare: number;
}

function specFor(rng: Rng, type: FundType): FundSpec {
  const base: FundSpec = {
    type,
    bench: MARKET_INDEX,
    beta: 0,
    tilt: 0,
    duration: 0,
    drift: 0,
    vol: 0,
    yieldOffset: 0,
    divChance: 0,
    divFloor: 1.05,
    divShare: 0,
  };
  const perDay = (annual: number) => annual / 252;
  switch (type) {
    case "stock":
      return {
        ...base,
        beta: rng.range(0.8, 1.2),
        tilt: rng.range(-0.3, 0.8),
        drift: perDay(0.01 + 0.05 * rng.normal() - 0.015),
        vol: rng.range(0.006, 0.011),
        divChance: rng.chance(0.35) ? 1 / 252 : 0,
        divFloor: 1.1,
        divShare: rng.range(0.2, 0.6),
      };
    case "hybrid":
      return {
        ...base,
        beta: rng.range(0.4, 0.7),
        tilt: rng.range(-0.2, 0.5),
        duration: rng.range(0, 0.4),
        drift: perDay(0.012 + 0.035 * rng.normal() + 0.01 - 0.015),
        vol: rng.range(0.0035, 0.007),
        divChance: rng.chance(0.4) ? 1 / 252 : 0,
        divFloor: 1.08,
        divShare: rng.range(0.2, 0.6),
      };
    case "bond":
      return {
        ...base,
        beta: Math.max(0, 0.02 + 0.015 * rng.normal()),
        duration: rng.range(0.5, 1.5),
        drift: perDay(rng.range(0.025, 0.045) - 0.004),
        vol: rng.range(0.0002, 0.0006),
        divChance: rng.chance(0.5) ? 1 / 63 : 0,
        divFloor: 1.01,
        divShare: rng.range(0.3, 0.8),
      };
    case "money":
      return { ...base, yieldOffset: rng.range(-0.004, 0.003) };
    case "index": {
      const style = rng.weighted([
        ["etf", 3],
        ["feeder", 3],
        ["enhanced", 2],
        ["plain", 2],
      ] as const);
      const bench = rng.weighted([
        ["000300.SH", 5],
        ["399006.SZ", 2],
        ["399005.SZ", 1],
        ["000001.SH", 1],
        ["399001.SZ", 1],
      ] as const);
      const fee = style === "etf" ? 0.006 : 0.012;
      return {
        ...base,
        style,
        bench,
        beta: style === "feeder" ? rng.range(0.93, 0.96) : style === "enhanced" ? rng.range(0.97, 1.03) : rng.range(0.985, 1.0),
        drift: perDay((style === "enhanced" ? rng.range(0.0, 0.06) : 0) - fee),
        vol: style === "enhanced" ? rng.range(0.0015, 0.003) : style === "etf" ? rng.range(0.0001, 0.0003) : rng.range(0.0003, 0.0006),
        divChance: rng.chance(0.1) ? 1 / 252 : 0,
        divFloor: 1.1,
        divShare: rng.range(0.1, 0.3),
      };
    }
  }
}

/** Simulates one fund from day `start` of the calendar. */
function simulate(rng: Rng, code: string, spec: FundSpec, m: Market, start: number, launched: boolean): NavSeries {
  const n = m.dates.length - start;
  const dates = m.dates.slice(start);
  const nav = new Float64Array(n);
  const accNav = new Float64Array(n);

  if (spec.type === "money") {
    let acc = launched ? 1 : 1 + rng.range(0, 0.35);
    for (let i = 0; i < n; i++) {
      const t = start + i;
      if (i > 0) acc *= 1 + (Math.max(0.002, m.moneyYield[t] + spec.yieldOffset) * m.gapDays[t]) / 365;
      nav[i] = 1;
      accNav[i] = round4(acc);
    }
    return { code, dates, nav, accNav };
  }

  const market = m.index.get(spec.bench) ?? m.index.get(MARKET_INDEX)!;
  const hs = m.index.get(MARKET_INDEX)!;
  const growth = m.index.get("399006.SZ");
  let unit: number;
  let paid: number; // dividends paid per unit so far (a multiple of 0.001)
  if (launched) {
    unit = 1;
    paid = 0;
  } else if (spec.type === "bond") {
    unit = rng.range(1.0, 1.3);
    paid = rng.chance(0.5) ? Math.round(rng.range(0, 0.2) * 1000) / 1000 : 0;
  } else {
    unit = Math.min(4.5, Math.max(0.6, Math.exp(0.3 + 0.45 * rng.normal())));
    paid = rng.chance(0.4) ? Math.round(rng.range(0, 0.8) * 1000) / 1000 : 0;
  }
  // GARCH(1,1) on the idiosyncratic part: h = ω + α ε² + β h, long-run variance vol².
  const alpha = 0.08;
  const beta = 0.9;
  const longRun = spec.vol * spec.vol;
  const omega = longRun * (1 - alpha - beta);
  let h = longRun;
  let eps = 0;
  for (let i = 0; i < n; i++) {
    const t = start + i;
    if (i > 0) {
      h = omega + alpha * eps * eps + beta * h;
      eps = Math.sqrt(h) * rng.t5();
      // A new fund builds its positions over its first ~3 months (an index fund within a week).
      const ramp = launched ? Math.min(1, i / (spec.type === "index" ? 5 : 60)) : 1;
      const spread = growth ? growth[t] - hs[t] : 0;
      let r = spec.drift + ramp * (spec.beta * market[t] + spec.tilt * spread) + spec.duration * m.bond[t] + eps;
      if (r < -0.15) r = -0.15;
      unit *= 1 + r;
      if (spec.divChance > 0 && unit > spec.divFloor && i > 20 && rng.chance(spec.divChance)) {
        const d = Math.floor((unit - 1) * spec.divShare * 1000) / 1000;
        if (d > 0) {
          unit -= d;
          paid = Math.round((paid + d) * 1000) / 1000;
        }
      }
    }
    const u = round4(unit);
    nav[i] = u;
    accNav[i] = round4(u + paid);
  }
  return { code, dates, nav, accNav };
}

/**
 * The demo universe: the vendored real series plus `count` synthetic funds, deterministic
 * in `seed` (fund i is the same whatever `count` is).
 */
export function generateUniverse(count: number, seed = 42): DemoUniverse {
  const instruments: DemoInstrument[] = [];
  const series: NavSeries[] = [];
  const real = new Map<string, NavSeries>();
  for (const inst of REAL_INSTRUMENTS) {
    const s = readRealSeries(inst.code);
    real.set(inst.code, s);
    instruments.push({ ...inst });
    series.push(s);
  }
  const market = buildMarket(real, seed);
  const n = market.dates.length;
  const codes = new Set<string>(REAL_INSTRUMENTS.map((i) => i.code));
  const names = new Set<string>(REAL_INSTRUMENTS.map((i) => i.name));
  const types = [
    ["stock", 30],
    ["hybrid", 30],
    ["bond", 20],
    ["index", 12],
    ["money", 8],
  ] as const;
  for (let i = 0; i < Math.max(0, Math.floor(count)); i++) {
    const rng = new Rng(mix(seed, i + 1));
    const type = rng.weighted(types);
    const spec = specFor(rng, type);
    let code = "";
    for (let k = 0; k < 1000 && (code === "" || codes.has(code)); k++) code = fundCode(rng, spec.style === "etf" ? "etf" : type);
    if (codes.has(code)) throw new Error(`could not find a free fund code for fund ${i}`);
    codes.add(code);
    let name = "";
    for (let k = 0; k < 30 && (name === "" || names.has(name)); k++) name = fundName(rng, type, { index: spec.bench, style: spec.style });
    for (let k = 2; names.has(name); k++) name = name.replace(/(\d+号)?([A-C]?)$/, `${k}号$2`);
    names.add(name);
    const launched = rng.chance(1 / 7);
    const start = launched ? 20 + rng.int(Math.max(1, n - 120)) : 0;
    instruments.push({ code, name, kind: "fund", fundType: type });
    series.push(simulate(rng, code, spec, market, Math.min(start, Math.max(0, n - 1)), launched));
  }
  return { instruments, series };
}

/** Rows per createMany (a five-year series row is ~24 KB). */
const INSERT_CHUNK = 200;

/**
 * Loads the demo universe into an empty `instruments` table (nothing happens otherwise), in
 * one transaction. Returns how many funds were loaded (the real indices and stocks come on top).
 */
export async function seedFunds(db: Db, count = Number(process.env.DEMO_FUNDS ?? 2000)): Promise<number> {
  if (!Number.isFinite(count) || count < 0) count = 2000;
  if ((await db.instrument.count()) > 0) return 0;
  const { instruments, series } = generateUniverse(count);
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < series.length; i += INSERT_CHUNK) {
        const part = series.slice(i, i + INSERT_CHUNK);
        // nav_series first: the first statement of a SQLite transaction must be a write.
        await tx.navSeries.createMany({ data: part.map((s) => ({ code: s.code, ...encodeSeries(s) })) });
        await tx.instrument.createMany({
          data: part.map((s, k) => {
            const inst = instruments[i + k];
            return { code: inst.code, name: inst.name, kind: inst.kind, fundType: inst.fundType, ...summarize(s) };
          }),
        });
      }
    },
    { maxWait: 30_000, timeout: 600_000 },
  );
  return instruments.filter((x) => x.kind === "fund").length;
}
