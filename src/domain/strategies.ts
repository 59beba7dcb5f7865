/**
 * Screening strategies run across all funds (pure maths: no database, no I/O).
 *
 * A screen is two steps: `evaluate` looks at one fund's series and says whether it matches,
 * with a score and a few numbers to show; `selectMatches` takes every fund's evaluation, keeps
 * the matches, sorts them by score (highest first, ties by code so results are stable) and, for
 * momentum_top_n, keeps the top N. Windows of "N days" span the last N + 1 values (N daily
 * steps), as in signals.ts. A series too short for a strategy never matches.
 *
 * - ma_golden_cross (MA金叉): the latest SMA(ma_short)/SMA(ma_long) cross within the last
 *   `lookback` days is upward (the same rule as the ma_cross signal). score = SMAshort/SMAlong - 1.
 * - rsi_oversold_rebound (RSI超卖反弹): RSI(rsi_period) crossed up through rsi_oversold
 *   (RSI[i-1] < oversold <= RSI[i]) within the last `lookback` days and has not fallen back
 *   below since. score = RSI now - RSI on the day before the cross (the strength of the rebound).
 * - momentum_top_n (动量前N): every fund with momentum_period + 1 values matches with
 *   score = v[t]/v[t-momentum_period] - 1; selectMatches keeps the top_n best.
 * - low_drawdown (低回撤): max drawdown over the last `window` days <= max_drawdown;
 *   score = return over the same window (1 year for the default 250), so the list is sorted by it.
 *
 * The input is the adjusted NAV (dividends reinvested). Money market funds never match the
 * three trend screens (ma_golden_cross, rsi_oversold_rebound, momentum_top_n: their NAV says
 * nothing about a trend); low_drawdown takes them like any fund. All indicators come from the
 * helpers in signals.ts; a NaN, zero or negative value throws a RangeError.
 */
import { z } from "zod";
import { optionalParamsSchema, paramDefaults, SCREEN_PARAMS } from "@/contracts/researchParams";
import { maCross, maxDrawdown, momentumAt, round6, toNumbers, type Series } from "./signals";
import { rsiWilder } from "./indicators";
import { assertPositive } from "./adjusted";

/** The screens that read a trend, which a money market fund's NAV does not have. */
const TREND_SCREENS = new Set(["ma_golden_cross", "rsi_oversold_rebound", "momentum_top_n"]);

export interface StrategyDef {
  id: string;
  /** Chinese name shown in the UI. */
  name: string;
  description: string;
  /** Default parameters. */
  params: Record<string, number>;
}

export const STRATEGIES: StrategyDef[] = [
  {
    id: "ma_golden_cross",
    name: "MA金叉",
    description:
      "The short SMA crossed above the long SMA within the last `lookback` days (and has not crossed back). Sorted by how far the short SMA is above the long one.",
    params: paramDefaults(SCREEN_PARAMS.ma_golden_cross.specs),
  },
  {
    id: "rsi_oversold_rebound",
    name: "RSI超卖反弹",
    description:
      "RSI crossed up through the oversold level within the last `lookback` days and is still above it. Sorted by the RSI rise since the day before the cross.",
    params: paramDefaults(SCREEN_PARAMS.rsi_oversold_rebound.specs),
  },
  {
    id: "momentum_top_n",
    name: "动量前N",
    description: "The top_n funds by return over the last momentum_period days.",
    params: paramDefaults(SCREEN_PARAMS.momentum_top_n.specs),
  },
  {
    id: "low_drawdown",
    name: "低回撤",
    description: "Max drawdown over the last `window` days at most max_drawdown; sorted by the return over the same window.",
    params: paramDefaults(SCREEN_PARAMS.low_drawdown.specs),
  },
];

/** Per-strategy parameter schemas (built from SCREEN_PARAMS): every field optional (the default fills in), unknown fields rejected. */
export const STRATEGY_PARAM_SCHEMAS = {
  ma_golden_cross: optionalParamsSchema(SCREEN_PARAMS.ma_golden_cross),
  rsi_oversold_rebound: optionalParamsSchema(SCREEN_PARAMS.rsi_oversold_rebound),
  momentum_top_n: optionalParamsSchema(SCREEN_PARAMS.momentum_top_n),
  low_drawdown: optionalParamsSchema(SCREEN_PARAMS.low_drawdown),
} as const;

/** Any strategy's params as a request gives them: a small record of finite, bounded numbers. parseStrategyParams checks them per strategy. */
export const StrategyParams = z
  .record(z.string().max(40), z.number().min(-1e6).max(1e6))
  .refine((r) => Object.keys(r).length <= 20, "too many params");

export interface Evaluation {
  match: boolean;
  score: number;
  detail: Record<string, number>;
}

function strategyDef(strategyId: string): StrategyDef {
  const def = STRATEGIES.find((d) => d.id === strategyId);
  if (!def) throw new Error(`unknown strategy ${strategyId}`);
  return def;
}

/**
 * Validates request params against the strategy's schema and returns the full set with
 * defaults filled in. Throws ZodError on bad params, Error on an unknown strategy.
 */
export function parseStrategyParams(strategyId: string, raw: unknown = {}): Record<string, number> {
  const def = strategyDef(strategyId);
  const schema = STRATEGY_PARAM_SCHEMAS[strategyId as keyof typeof STRATEGY_PARAM_SCHEMAS];
  const parsed: Record<string, number | undefined> = schema.parse(raw ?? {});
  return mergeParams(def, parsed);
}

/** Defaults overlaid with the known numeric params (unknown keys ignored: evaluate runs per fund, unvalidated). */
function mergeParams(def: StrategyDef, params?: Record<string, number | undefined>): Record<string, number> {
  const out = { ...def.params };
  if (params) for (const key of Object.keys(out)) if (typeof params[key] === "number") out[key] = params[key];
  return out;
}

const NO_MATCH: Evaluation = { match: false, score: 0, detail: {} };

/**
 * Whether one fund matches the strategy, its score (higher is better) and the numbers behind
 * it. Params are expected to have passed parseStrategyParams; missing ones take the defaults.
 */
export function evaluate(strategyId: string, s: Series, params?: Record<string, number>): Evaluation {
  const p = mergeParams(strategyDef(strategyId), params);
  const values = toNumbers(s.values);
  const n = values.length;
  assertPositive("(screen input)", s.dates, values, "value");
  if (s.moneyFund && TREND_SCREENS.has(strategyId)) return NO_MATCH;
  switch (strategyId) {
    case "ma_golden_cross": {
      const ma = maCross(values, p.ma_short, p.ma_long, p.lookback);
      if (!ma.enough) return NO_MATCH;
      const spread = round6(ma.shortMa / ma.longMa - 1);
      const detail = { sma_short: round6(ma.shortMa), sma_long: round6(ma.longMa), spread };
      if (ma.dir !== 1) return { match: false, score: spread, detail };
      return { match: true, score: spread, detail: { ...detail, days_ago: n - 1 - ma.crossIndex } };
    }
    case "rsi_oversold_rebound": {
      if (n < p.rsi_period + 2) return NO_MATCH;
      const r = rsiWilder(values, p.rsi_period);
      const cross = lastCrossUpInclusive(r, p.rsi_oversold, p.rsi_period, p.lookback);
      const now = round6(r[n - 1]);
      if (cross < 0) return { match: false, score: 0, detail: { rsi: now } };
      const before = round6(r[cross - 1]);
      return { match: true, score: round6(r[n - 1] - r[cross - 1]), detail: { rsi: now, rsi_before: before, days_ago: n - 1 - cross } };
    }
    case "momentum_top_n": {
      if (n < p.momentum_period + 1) return NO_MATCH;
      const mom = momentumAt(values, p.momentum_period);
      if (!Number.isFinite(mom)) return NO_MATCH;
      return { match: true, score: round6(mom), detail: { momentum: round6(mom) } };
    }
    case "low_drawdown": {
      if (n < p.window + 1) return NO_MATCH;
      const mdd = maxDrawdown(values, n - 1 - p.window, n);
      const ret = momentumAt(values, p.window);
      if (!Number.isFinite(ret)) return NO_MATCH;
      // Compared rounded, as shown: 1 - 0.95/1 = 0.050000000000000044 still passes a 0.05 cap.
      const detail = { max_drawdown: round6(mdd), return: round6(ret) };
      return { match: detail.max_drawdown <= p.max_drawdown, score: detail.return, detail };
    }
    default:
      throw new Error(`unknown strategy ${strategyId}`);
  }
}

/**
 * Index of the latest day i (within the last `lookback` days, i > first) where a[i-1] < level
 * <= a[i], provided a stays >= level after it; -1 otherwise. Touching the level counts as
 * crossing it: "RSI back to 30" is the rebound the strategy looks for.
 */
function lastCrossUpInclusive(a: ArrayLike<number>, level: number, first: number, lookback: number): number {
  const n = a.length;
  let found = -1;
  for (let i = Math.max(first + 1, n - lookback); i < n; i++) {
    if (Number.isNaN(a[i - 1]) || Number.isNaN(a[i])) continue; // undefined RSI (no move yet) neither crosses nor falls back
    // Rounded as the rsi signal shows and compares it.
    const prev = round6(a[i - 1]);
    const cur = round6(a[i]);
    if (prev < level && cur >= level) found = i;
    else if (cur < level) found = -1; // fell back below: the rebound failed
  }
  return found;
}

/**
 * The matching funds of a screen, best first (score descending, then code), cut to top_n for
 * momentum_top_n.
 */
export function selectMatches(
  strategyId: string,
  evaluated: { code: string; ev: Evaluation }[],
  params?: Record<string, number>,
): { code: string; score: number; detail: Record<string, number> }[] {
  const p = mergeParams(strategyDef(strategyId), params);
  const rows = evaluated
    .filter((e) => e.ev.match)
    .map((e) => ({ code: e.code, score: e.ev.score, detail: e.ev.detail }))
    .sort((x, y) => y.score - x.score || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
  return strategyId === "momentum_top_n" ? rows.slice(0, p.top_n) : rows;
}

// Re-exported so callers of the screens need only this module for the input type.
export type { Series };
