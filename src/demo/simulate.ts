/**
 * One synthetic fund's NAV over the market's calendar. Daily fund return = drift + beta × the
 * real index return (+ a growth tilt on the 创业板指 − 沪深300 spread for active equity funds,
 * + a shared bond-market factor for bond funds) + idiosyncratic noise with volatility
 * clustering (GARCH(1,1) on Student-t shocks, ν = 5). Some funds pay cash dividends: unit NAV
 * drops by the dividend, accumulated NAV does not. A few whose unit NAV has risen above 3
 * split (拆分) back to about 1: each unit becomes `ratio` units and accumulated NAV is quoted per
 * new unit. Money funds keep unit NAV at 1 and carry their daily income over once a month. Every
 * dividend and split is recorded as a corporate action, as a data vendor would publish it.
 */
import type { CorporateAction } from "@/domain/adjusted";
import type { FundType } from "@/contracts/funds";
import type { NavSeries } from "@/domain/series";
import { MARKET_INDEX, type Market } from "./market";
import type { IndexStyle } from "./names";
import type { Rng } from "./random";

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** Unit NAV above which a fund may split back to about 1 (a few in the demo universe do). */
const SPLIT_ABOVE = 3;

/** What drives one fund's NAV. */
export interface FundSpec {
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

/** The parameters of one fund of `type`, drawn from `rng`. */
export function specFor(rng: Rng, type: FundType): FundSpec {
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
export function simulate(rng: Rng, code: string, spec: FundSpec, m: Market, start: number, launched: boolean): NavSeries {
  const n = m.dates.length - start;
  const dates = m.dates.slice(start);
  const nav = new Float64Array(n);
  const accNav = new Float64Array(n);
  const actions: CorporateAction[] = [];

  if (spec.type === "money") {
    // Daily income per unit (每万份收益, 4 decimals per 10,000 units = 8 per unit) accrues, and is
    // carried over into new units once a month (每日分配、按月结转): a dividend on the first
    // trading day of the next month. A dividend a day would be 1,250 actions per fund, and
    // loading their bytes through Prisma cost ~1.5 s more for the 2,000-fund signals batch.
    let acc = launched ? 1 : 1 + rng.range(0, 0.35);
    let pending = 0;
    for (let i = 0; i < n; i++) {
      const t = start + i;
      if (i > 0) {
        if (Math.floor(dates[i] / 100) !== Math.floor(dates[i - 1] / 100) && pending > 0) {
          actions.push({ date: dates[i], dividend: Math.round(pending * 1e8) / 1e8, split: 1 });
          pending = 0;
        }
        const income = Math.round(((Math.max(0.002, m.moneyYield[t] + spec.yieldOffset) * m.gapDays[t]) / 365) * 1e8) / 1e8;
        acc += income;
        pending += income;
      }
      nav[i] = 1;
      accNav[i] = round4(acc);
    }
    return { code, dates, nav, accNav, actions };
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
          actions.push({ date: dates[i], dividend: d, split: 1 });
        }
      } else if (unit > SPLIT_ABOVE && rng.chance(1 / 1500)) {
        const ratio = Math.round(unit * 1e4) / 1e4; // back to about 1.0000 a unit
        unit /= ratio;
        paid /= ratio;
        actions.push({ date: dates[i], dividend: 0, split: ratio });
      }
    }
    const u = round4(unit);
    nav[i] = u;
    accNav[i] = round4(u + paid);
  }
  return { code, dates, nav, accNav, actions };
}
