/**
 * Single-fund backtests (pure maths: no database, no I/O).
 *
 * Conventions:
 * - A signal computed on day t's close fills at day t+1's value (no look-ahead). An order made
 *   on the last day of the range is never filled.
 * - Long-only, fully in or fully out; the run starts in cash (`initial`) on the first day of the
 *   range. Indicators use the whole series, so the history before `start` warms them up.
 * - Buying pays fee_buy and selling pays fee_sell, as fractions of the traded value: a buy turns
 *   cash C into C * (1 - fee_buy) / price units, a sell turns u units into u * price * (1 - fee_sell)
 *   cash. A round trip therefore costs the factor (1 - fee_buy) * (1 - fee_sell).
 * - Equity is marked at each day's value (units * value, or cash); a position still open at the
 *   end is not sold, so its exit fee is not charged.
 * - 252 trading days a year; `days` = number of daily steps in the range (points - 1).
 * - total_return = equity_last / initial - 1; annualized_return = (1 + total)^(252 / days) - 1.
 * - volatility = sample standard deviation (n - 1) of the daily equity returns * sqrt(252).
 * - sharpe = (annualized_return - risk_free) / volatility; null when volatility is 0 (< 1e-12).
 * - max_drawdown = max over t of 1 - equity[t] / max(equity[0..t]).
 * - trades = number of fills (buys + sells); win_rate = share of closed round trips whose sale
 *   brought back more cash than the buy spent (fees included); null when none closed.
 * - Metrics use every day; the returned equity curve is sampled uniformly to at most 500
 *   points (first and last kept) for display. Numbers are rounded to 6 decimals.
 *
 * Strategies (the position wanted after day t's close; "keep" = unchanged):
 * - buy_hold: always in (so it buys at the second day's value).
 * - ma_cross: in while SMA(ma_short) > SMA(ma_long), out while below (equal: keep); needs ma_long days.
 * - rsi: in when RSI(rsi_period) <= rsi_oversold, out when >= rsi_overbought, else keep.
 * - momentum: in when v[t]/v[t-momentum_period] - 1 >= momentum_threshold, out when
 *   <= -momentum_threshold, else keep.
 * These are the states behind the buy/sell signals of signals.ts, with the same defaults.
 */
import { sma } from "indicatorts";
import {
  BACKTEST_STRATEGIES,
  BacktestParams,
  type BacktestParamsInput,
  type BacktestParamValues,
  type BacktestStrategy,
} from "@/contracts/backtests";
import { formatDate, maxDrawdown, momentumAt, round6, rsiSeries, toNumbers, type Series } from "./signals";

export interface BacktestResult {
  metrics: {
    total_return: number;
    annualized_return: number;
    volatility: number;
    sharpe: number | null;
    max_drawdown: number;
    trades: number;
    win_rate: number | null;
    days: number;
  };
  equity: { date: string; value: number }[];
  trades: { date: string; side: "buy" | "sell"; price: number }[];
}

/** Most equity points returned for display. */
export const EQUITY_POINTS = 500;
const TRADING_DAYS = 252;

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
      const r = rsiSeries(values, p.rsi_period);
      return (t, holding) => {
        if (t < p.rsi_period) return holding; // RSI warm-up
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

/**
 * Runs one strategy over the series between `start` and `end` (inclusive, "YYYY-MM-DD"); see
 * the file header for the conventions. Throws ZodError on bad params and Error on a bad date
 * or strategy. An empty range gives zero metrics and empty lists.
 */
export function runBacktest(
  s: Series,
  strategy: BacktestStrategy,
  opts: { start?: string; end?: string; params?: BacktestParamsInput } = {},
): BacktestResult {
  if (!(BACKTEST_STRATEGIES as readonly string[]).includes(strategy)) throw new Error(`unknown backtest strategy ${String(strategy)}`);
  const p = BacktestParams.parse(opts.params ?? {});
  const values = toNumbers(s.values);
  const n = Math.min(values.length, s.dates.length);
  const startDay = opts.start ? parseDay(opts.start, "start") : -Infinity;
  const endDay = opts.end ? parseDay(opts.end, "end") : Infinity;
  let a = 0;
  while (a < n && s.dates[a] < startDay) a++;
  let b = n - 1;
  while (b >= a && s.dates[b] > endDay) b--;
  if (a > b) {
    return {
      metrics: { total_return: 0, annualized_return: 0, volatility: 0, sharpe: null, max_drawdown: 0, trades: 0, win_rate: null, days: 0 },
      equity: [],
      trades: [],
    };
  }

  const want = decider(strategy, values, p);
  const len = b - a + 1;
  const equity = new Float64Array(len);
  const trades: BacktestResult["trades"] = [];
  let cash = p.initial;
  let units = 0;
  let spent = 0; // cash that went into the open position, for win/loss of the round trip
  let wins = 0;
  let closed = 0;
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
        if (cash > spent) wins++;
        trades.push({ date: formatDate(s.dates[t]), side: "sell", price: round6(v) });
      }
    }
    equity[t - a] = units > 0 ? units * v : cash;
    wanted = want(t, wanted);
  }

  const days = len - 1;
  const total = equity[len - 1] / p.initial - 1;
  const annualized = days > 0 ? Math.pow(1 + total, TRADING_DAYS / days) - 1 : 0;
  // Sample standard deviation of daily returns, two passes for accuracy.
  let mean = 0;
  for (let i = 1; i < len; i++) mean += equity[i] / equity[i - 1] - 1;
  mean = days > 0 ? mean / days : 0;
  let ss = 0;
  for (let i = 1; i < len; i++) {
    const d = equity[i] / equity[i - 1] - 1 - mean;
    ss += d * d;
  }
  const volatility = days > 1 ? Math.sqrt(ss / (days - 1)) * Math.sqrt(TRADING_DAYS) : 0;
  const sharpe = volatility > 1e-12 ? (annualized - p.risk_free) / volatility : null;

  return {
    metrics: {
      total_return: round6(total),
      annualized_return: round6(annualized),
      volatility: round6(volatility),
      sharpe: sharpe === null ? null : round6(sharpe),
      max_drawdown: round6(maxDrawdown(equity)),
      trades: trades.length,
      win_rate: closed > 0 ? round6(wins / closed) : null,
      days,
    },
    equity: sampleIndices(len, EQUITY_POINTS).map((i) => ({ date: formatDate(s.dates[a + i]), value: round6(equity[i]) })),
    trades,
  };
}
