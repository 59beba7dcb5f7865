/**
 * Single-fund backtests (pure maths: no database, no I/O).
 *
 * Conventions (the README's conventions table repeats them):
 * - Prices are the fund's adjusted NAV (dividends reinvested, adjusted.ts), so a dividend or a
 *   split is neither a loss nor a gain.
 * - A signal computed on day t's close fills at day t+1's value (no look-ahead). An order made
 *   on the last day of the range is never filled.
 * - Long-only, fully in or fully out; the run starts in cash (`initial`) on the first day of the
 *   range. Indicators use the whole series, so the history before `start` warms them up.
 * - Buying pays fee_buy and selling pays fee_sell, as fractions of the traded value: a buy turns
 *   cash C into C * (1 - fee_buy) / price units, a sell turns u units into u * price * (1 - fee_sell)
 *   cash. A round trip therefore costs the factor (1 - fee_buy) * (1 - fee_sell).
 * - Equity is marked at each day's value (units * value, or cash); a position still open at the
 *   end is not sold, so its exit fee is not charged.
 * - Daily returns r_t = equity_t / equity_{t-1} - 1 for the `days` = points - 1 steps of the
 *   range; 252 trading days a year. The risk-free rate (`risk_free`, annual, default 0) is
 *   turned into a daily rate rf_d = (1 + risk_free)^(1/252) - 1; excess returns are r_t - rf_d.
 * - total_return = equity_last / initial - 1; annualized_return (CAGR) = (1 + total)^(252 / days) - 1.
 * - volatility = sample standard deviation (n - 1) of the daily returns * sqrt(252).
 * - sharpe = mean(excess) / sample sd(excess) * sqrt(252) (empyrical, quantstats).
 * - sortino = mean(excess) * sqrt(252) / sqrt(mean(min(excess, 0)^2)) (empyrical's downside risk).
 * - calmar = annualized_return / max_drawdown.
 * - max_drawdown = max over t of 1 - equity[t] / max(equity[0..t]); with the day of its peak, its
 *   trough, its recovery (the first later day back at the peak; null while under water) and its
 *   length in trading days from peak to recovery (to the last day when not recovered).
 * - trades = number of fills (buys + sells); round trips are buy-then-sell pairs (an open
 *   position is not one). win_rate = share of round trips whose sale brought back more cash
 *   than the buy spent (fees included); profit_factor = their gross profit / gross loss (null
 *   without a losing trip); exposure = share of the range's days at whose close a position is held.
 * - Against a benchmark (an index's close, aligned to the fund's days by its last close on or
 *   before each day; none when it has no value on the first day): benchmark_return over the
 *   range, excess_return = total_return - benchmark_return, beta = cov(r, r_b) / var(r_b)
 *   (sample), alpha = (1 + mean(excess - beta * (r_b - rf_d)))^252 - 1 (empyrical),
 *   tracking_error = sample sd(r - r_b) * sqrt(252), information_ratio = mean(r - r_b) /
 *   sd(r - r_b) * sqrt(252).
 * - buy_hold_return = the fund's own return over the range (adjusted NAV, no fees).
 * - Annualised figures (annualized_return, volatility, sharpe, sortino, calmar, alpha,
 *   tracking_error, information_ratio) are null over fewer than 63 days (a quarter); a ratio
 *   whose denominator is 0 (< 1e-12) is null. Numbers are rounded to 6 decimals.
 * - Metrics use every day; the returned equity curve (strategy, buy and hold and benchmark,
 *   each starting at `initial`, and the strategy's drawdown) is sampled uniformly to at most 500
 *   points (first and last kept) for display.
 *
 * Strategies (the position wanted after day t's close; "keep" = unchanged):
 * - buy_hold: always in (so it buys at the second day's value).
 * - ma_cross: in while SMA(ma_short) > SMA(ma_long), out while below (equal: keep); needs ma_long days.
 * - rsi: in when RSI(rsi_period) <= rsi_oversold, out when >= rsi_overbought, else keep (and
 *   keep while RSI is not defined).
 * - momentum: in when v[t]/v[t-momentum_period] - 1 >= momentum_threshold, out when
 *   <= -momentum_threshold, else keep.
 * These are the states behind the buy/sell signals of signals.ts, with the same defaults.
 *
 * Over 300 lines: the simulation and the two dozen figures it reports belong together (they
 * share the daily returns, the drawdown walk and the benchmark alignment), and this header
 * states every convention in one place, as the README's table repeats it.
 */
import { sma } from "indicatorts";
import {
  BACKTEST_STRATEGIES,
  BacktestParams,
  type BacktestMetrics,
  type BacktestParamsInput,
  type BacktestParamValues,
  type BacktestStrategy,
} from "@/contracts/backtests";
import { assertPositive } from "./adjusted";
import { formatDate, momentumAt, round6, toNumbers, type Series } from "./signals";
import { rsiWilder } from "./indicators";

/** One point of the display curve: equity of the strategy, of buy and hold and of the benchmark, and the strategy's drawdown (≤ 0). */
export interface EquityPoint {
  date: string;
  value: number;
  buy_hold: number;
  benchmark: number | null;
  drawdown: number;
}

export interface BacktestResult {
  metrics: BacktestMetrics;
  equity: EquityPoint[];
  trades: { date: string; side: "buy" | "sell"; price: number }[];
}

/** Most equity points returned for display. */
export const EQUITY_POINTS = 500;
/** Trading days in a year, for every annualisation. */
export const TRADING_DAYS = 252;
/** Fewer daily steps than this (a quarter) and annualised figures are not shown. */
export const MIN_ANNUALISED_DAYS = 63;
const EPS = 1e-12;

/** "YYYY-MM-DD" -> yyyymmdd integer; throws on anything else. */
function parseDay(s: string, what: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`${what} must be YYYY-MM-DD, got ${JSON.stringify(s)}`);
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/** Indices 0..len-1 sampled uniformly to at most `max` (first and last always kept). */
function sampleIndices(len: number, max: number): number[] {
  if (len <= max) return Array.from({ length: len }, (_, i) => i);
  const out = new Array<number>(max);
  for (let k = 0; k < max; k++) out[k] = Math.round((k * (len - 1)) / (max - 1));
  return out;
}

/**
 * Position wanted after each day's close, as a function of the previous wish; built once per
 * run from the full series so indicators see the history before the range.
 */
function decider(strategy: BacktestStrategy, values: number[], p: BacktestParamValues): (t: number, holding: boolean) => boolean {
  switch (strategy) {
    case "buy_hold":
      return () => true;
    case "ma_cross": {
      const short = sma(values, { period: p.ma_short });
      const long = sma(values, { period: p.ma_long });
      const first = p.ma_long - 1; // before this the library's SMA is a partial average
      return (t, holding) => {
        if (t < first) return holding;
        const d = short[t] - long[t];
        const tol = 1e-10 * Math.abs(values[t]); // float noise on flat stretches is not a cross
        return d > tol ? true : d < -tol ? false : holding;
      };
    }
    case "rsi": {
      const r = rsiWilder(values, p.rsi_period);
      return (t, holding) => {
        if (Number.isNaN(r[t])) return holding; // warm-up, or no move yet
        const x = round6(r[t]); // as the rsi signal compares it
        return x <= p.rsi_oversold ? true : x >= p.rsi_overbought ? false : holding;
      };
    }
    case "momentum":
      return (t, holding) => {
        if (t < p.momentum_period) return holding;
        const raw = momentumAt(values, p.momentum_period, t);
        if (!Number.isFinite(raw)) return holding;
        const m = round6(raw); // as the momentum signal compares it, so 5.0% meets a 0.05 threshold
        return m >= p.momentum_threshold ? true : m <= -p.momentum_threshold ? false : holding;
      };
    default:
      throw new Error(`unknown backtest strategy ${String(strategy)}`);
  }
}

/** Mean and sample standard deviation (n - 1), two passes for accuracy; sd is NaN below 2 values. */
export function meanSd(x: ArrayLike<number>): { mean: number; sd: number } {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean = n > 0 ? mean / n : Number.NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - mean) ** 2;
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN };
}

/** The deepest drawdown of a curve: depth, peak, trough and recovery indices (recovery -1 while under water). */
export function drawdownStats(v: ArrayLike<number>): { depth: number; peak: number; trough: number; recovery: number } {
  let peakAt = 0;
  const best = { depth: 0, peak: 0, trough: 0, recovery: -1 };
  for (let i = 1; i < v.length; i++) {
    if (v[i] >= v[peakAt]) peakAt = i;
    else {
      const dd = 1 - v[i] / v[peakAt];
      if (dd > best.depth) Object.assign(best, { depth: dd, peak: peakAt, trough: i });
    }
  }
  if (best.depth > 0) for (let i = best.trough + 1; i < v.length && best.recovery < 0; i++) if (v[i] >= v[best.peak]) best.recovery = i;
  return best;
}

/** The benchmark's last close on or before each of `dates` (NaN before its first point). */
function aligned(bench: Series, dates: ArrayLike<number>, a: number, b: number): Float64Array {
  const out = new Float64Array(b - a + 1).fill(Number.NaN);
  let j = -1;
  for (let t = a; t <= b; t++) {
    while (j + 1 < bench.dates.length && bench.dates[j + 1] <= dates[t]) j++;
    if (j >= 0) out[t - a] = bench.values[j];
  }
  return out;
}

const r6 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : round6(x));

/** The relative figures of a run without a benchmark. */
const NO_BENCHMARK = {
  benchmark_return: null,
  excess_return: null,
  beta: null,
  alpha: null,
  tracking_error: null,
  information_ratio: null,
};

const EMPTY: BacktestMetrics = {
  total_return: 0,
  annualized_return: null,
  volatility: null,
  sharpe: null,
  sortino: null,
  calmar: null,
  max_drawdown: 0,
  max_drawdown_peak: null,
  max_drawdown_trough: null,
  max_drawdown_recovery: null,
  max_drawdown_days: 0,
  trades: 0,
  round_trips: 0,
  win_rate: null,
  profit_factor: null,
  exposure: 0,
  buy_hold_return: 0,
  benchmark: null,
  ...NO_BENCHMARK,
  days: 0,
};

/**
 * Runs one strategy over the series between `start` and `end` (inclusive, "YYYY-MM-DD"); see
 * the file header for the conventions. `benchmark` (an index's closes, with its code) adds the
 * relative figures. Throws ZodError on bad params, RangeError on a NaN, zero or negative
 * value, and Error on a bad date or strategy. An empty range gives zero metrics and empty lists.
 */
export function runBacktest(
  s: Series,
  strategy: BacktestStrategy,
  opts: { start?: string; end?: string; params?: BacktestParamsInput; benchmark?: Series & { code: string } } = {},
): BacktestResult {
  if (!(BACKTEST_STRATEGIES as readonly string[]).includes(strategy)) throw new Error(`unknown backtest strategy ${String(strategy)}`);
  const p = BacktestParams.parse(opts.params ?? {});
  const values = toNumbers(s.values);
  const n = Math.min(values.length, s.dates.length);
  assertPositive("(backtest input)", s.dates, values, "value");
  const startDay = opts.start ? parseDay(opts.start, "start") : -Infinity;
  const endDay = opts.end ? parseDay(opts.end, "end") : Infinity;
  let a = 0;
  while (a < n && s.dates[a] < startDay) a++;
  let b = n - 1;
  while (b >= a && s.dates[b] > endDay) b--;
  if (a > b) return { metrics: { ...EMPTY, benchmark: opts.benchmark?.code ?? null }, equity: [], trades: [] };

  const want = decider(strategy, values, p);
  const len = b - a + 1;
  const equity = new Float64Array(len);
  const trades: BacktestResult["trades"] = [];
  let cash = p.initial;
  let units = 0;
  let spent = 0; // cash that went into the open position, for the round trip's profit or loss
  let wins = 0;
  let closed = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let held = 0; // closes with a position
  let wanted = false; // the order made at the previous close
  for (let t = a; t <= b; t++) {
    const v = values[t];
    if (t > a) {
      if (wanted && units === 0) {
        spent = cash;
        units = (cash * (1 - p.fee_buy)) / v;
        cash = 0;
        trades.push({ date: formatDate(s.dates[t]), side: "buy", price: round6(v) });
      } else if (!wanted && units > 0) {
        cash = units * v * (1 - p.fee_sell);
        units = 0;
        closed++;
        if (cash > spent) {
          wins++;
          grossProfit += cash - spent;
        } else grossLoss += spent - cash;
        trades.push({ date: formatDate(s.dates[t]), side: "sell", price: round6(v) });
      }
    }
    if (units > 0) held++;
    equity[t - a] = units > 0 ? units * v : cash;
    wanted = want(t, wanted);
  }

  const days = len - 1;
  const annualised = days >= MIN_ANNUALISED_DAYS;
  const sqrtYear = Math.sqrt(TRADING_DAYS);
  const rfDaily = Math.pow(1 + p.risk_free, 1 / TRADING_DAYS) - 1;
  const ret = new Float64Array(days);
  for (let i = 1; i < len; i++) ret[i - 1] = equity[i] / equity[i - 1] - 1;
  const excess = ret.map((r) => r - rfDaily);
  const { sd } = meanSd(ret);
  const ex = meanSd(excess);
  let down = 0;
  for (const x of excess) if (x < 0) down += x * x;
  const downside = days > 0 ? Math.sqrt(down / days) : 0;

  const total = equity[len - 1] / p.initial - 1;
  const cagr = days > 0 ? Math.pow(1 + total, TRADING_DAYS / days) - 1 : Number.NaN;
  const dd = drawdownStats(equity);
  const day = (i: number) => formatDate(s.dates[a + i]);

  // Benchmark figures, when it has a value on the range's first day.
  const bench = opts.benchmark ? aligned(opts.benchmark, s.dates, a, b) : null;
  const hasBench = bench !== null && Number.isFinite(bench[0]);
  let rel: Pick<BacktestMetrics, "benchmark_return" | "excess_return" | "beta" | "alpha" | "tracking_error" | "information_ratio"> = NO_BENCHMARK;
  if (hasBench && bench) {
    const rb = new Float64Array(days);
    const active = new Float64Array(days);
    for (let i = 1; i < len; i++) {
      rb[i - 1] = bench[i] / bench[i - 1] - 1;
      active[i - 1] = ret[i - 1] - rb[i - 1];
    }
    const mb = meanSd(rb);
    const ms = meanSd(ret);
    let cov = 0;
    for (let i = 0; i < days; i++) cov += (ret[i] - ms.mean) * (rb[i] - mb.mean);
    cov = days > 1 ? cov / (days - 1) : Number.NaN;
    const varB = mb.sd * mb.sd;
    const beta = varB > EPS ? cov / varB : Number.NaN;
    let alphaMean = 0;
    for (let i = 0; i < days; i++) alphaMean += excess[i] - beta * (rb[i] - rfDaily);
    alphaMean /= days;
    const act = meanSd(active);
    const benchTotal = bench[len - 1] / bench[0] - 1;
    rel = {
      benchmark_return: r6(benchTotal),
      excess_return: r6(total - benchTotal),
      beta: r6(beta),
      alpha: annualised ? r6(Math.pow(1 + alphaMean, TRADING_DAYS) - 1) : null,
      tracking_error: annualised ? r6(act.sd * sqrtYear) : null,
      information_ratio: annualised && act.sd > EPS ? r6((act.mean / act.sd) * sqrtYear) : null,
    };
  }

  const metrics: BacktestMetrics = {
    total_return: round6(total),
    annualized_return: annualised ? r6(cagr) : null,
    volatility: annualised ? r6(sd * sqrtYear) : null,
    sharpe: annualised && ex.sd > EPS ? r6((ex.mean / ex.sd) * sqrtYear) : null,
    sortino: annualised && downside > EPS ? r6((ex.mean * sqrtYear) / downside) : null,
    calmar: annualised && dd.depth > EPS ? r6(cagr / dd.depth) : null,
    max_drawdown: round6(dd.depth),
    max_drawdown_peak: dd.depth > 0 ? day(dd.peak) : null,
    max_drawdown_trough: dd.depth > 0 ? day(dd.trough) : null,
    max_drawdown_recovery: dd.recovery >= 0 ? day(dd.recovery) : null,
    max_drawdown_days: dd.depth > 0 ? (dd.recovery >= 0 ? dd.recovery : len - 1) - dd.peak : 0,
    trades: trades.length,
    round_trips: closed,
    win_rate: closed > 0 ? round6(wins / closed) : null,
    profit_factor: grossLoss > EPS ? round6(grossProfit / grossLoss) : null,
    exposure: round6(held / len),
    buy_hold_return: round6(values[b] / values[a] - 1),
    benchmark: opts.benchmark?.code ?? null,
    ...rel,
    days,
  };

  let peak = -Infinity;
  const drawdown = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    peak = Math.max(peak, equity[i]);
    drawdown[i] = equity[i] / peak - 1;
  }
  return {
    metrics,
    equity: sampleIndices(len, EQUITY_POINTS).map((i) => ({
      date: day(i),
      value: round6(equity[i]),
      buy_hold: round6((p.initial * values[a + i]) / values[a]),
      benchmark: hasBench && bench ? round6((p.initial * bench[i]) / bench[0]) : null,
      drawdown: round6(drawdown[i]),
    })),
    trades,
  };
}
