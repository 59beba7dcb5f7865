/**
 * Trading signals for one daily series (pure maths: no database, no I/O).
 *
 * The input is the adjusted NAV (dividends reinvested, adjusted.ts) or an index's close. SMA and
 * Bollinger bands come from `indicatorts`; EMA/MACD and RSI from indicators.ts (seeded as their
 * textbook definitions say); only what neither has is written here (drawdown from a peak,
 * momentum = v[t]/v[t-n] - 1, cross detection). computeSignals always returns six signals, one
 * per name, evaluated at the last date of the series:
 *
 * - ma_cross: buy if SMA(ma_short) crossed above SMA(ma_long) within the last `lookback` days
 *   (the last day included), sell if it crossed below; when both happened the latest cross wins
 *   and `date` is the cross day. Otherwise neutral. value = SMAshort/SMAlong - 1 at the last day.
 *   A cross is a change of sign of short - long; differences within 1e-10 of the price count as
 *   zero, so a flat series never "crosses" through rounding noise, and a cross is dated on the
 *   first day the new sign is strict. Needs ma_long + 1 points.
 * - macd_cross: the same rule with the MACD line (EMA fast - EMA slow) against its signal line
 *   (EMA of the MACD line), each EMA seeded by the simple average of its first n values, so the
 *   signal line exists from point macd_slow + macd_signal - 1. value = MACD - signal (the
 *   histogram, in price units, not doubled) at the last day. Needs macd_slow + macd_signal points.
 * - rsi: Wilder's RSI(rsi_period), seeded by the simple averages of the first rsi_period gains
 *   and losses. sell if RSI >= rsi_overbought, buy if RSI <= rsi_oversold, else neutral;
 *   value = RSI (0..100). Needs rsi_period + 1 points.
 * - bollinger: bands = SMA(boll_period) +/- boll_k population standard deviations of the last
 *   boll_period values. buy if the last value is below the lower band, sell if above the upper
 *   band; value = %B = (value - lower) / (upper - lower) (0.5 when the bands are flat).
 *   Needs boll_period points.
 * - drawdown: value = 1 - last / peak, the peak taken over the last drawdown_window days, i.e. the
 *   last drawdown_window + 1 values (fewer when the series is shorter: a young fund still gets an
 *   alert); 0..1. sell if value >= drawdown_alert, else neutral. Needs 2 points.
 * - momentum: value = v[t] / v[t - momentum_period] - 1. buy if >= momentum_threshold, sell if
 *   <= -momentum_threshold, else neutral. Needs momentum_period + 1 points.
 *
 * A signal that does not apply has direction "na", value null and a `reason`: a money market
 * fund (its NAV is pinned at 1 and its adjusted NAV rises every day, so trend rules say nothing)
 * or a constant series gets "not applicable" for all six; a series too short for one
 * indicator gets "insufficient data" for that one. Values are rounded to 6 decimals.
 * Thresholds (RSI levels, drawdown_alert, momentum_threshold) are compared with the rounded
 * value, so a 20% drawdown computed as 0.19999999999999996 still meets an alert of 0.2 and the
 * shown value agrees with the direction. A NaN, zero or negative value in the series is a bug
 * upstream (imports refuse them): computeSignals throws a RangeError naming it. Params are
 * expected to have passed SignalParams; missing or undefined fields take DEFAULT_SIGNAL_PARAMS.
 *
 * Performance: runs over thousands of series in a worker pool, so each input is copied to a
 * number[] once, indicators that only matter at the end (SMA for the cross window, Bollinger)
 * run on the tail only, and no per-point objects are allocated.
 *
 * Over 300 lines: the six signals share their helpers (crosses, drawdown, momentum, rounding)
 * with backtest.ts and strategies.ts, and this header states every convention they follow in
 * one place.
 */
import { bb, sma } from "indicatorts";
import { resolveSignalParams, type SignalParamValues } from "@/contracts/signals";
import { assertPositive } from "./adjusted";
import { macdFirstIndex, macdSeeded, rsiWilder } from "./indicators";

/** A daily series: dates as yyyymmdd integers, values = adjusted NAV (dividends reinvested) or close. */
export interface Series {
  dates: ArrayLike<number>;
  values: ArrayLike<number>;
  /** A money market fund: no trend signal applies. */
  moneyFund?: boolean;
}

export type SignalName = "ma_cross" | "macd_cross" | "rsi" | "bollinger" | "drawdown" | "momentum";

/** Why a signal has no direction. */
export type NotApplicable = "money_fund" | "constant" | "insufficient_data";

export interface Signal {
  name: SignalName;
  /** "na": the signal does not apply (see `reason`). */
  direction: "buy" | "sell" | "neutral" | "na";
  date: string;
  /** null when the signal does not apply. */
  value: number | null;
  note: string;
  reason?: NotApplicable;
}

/** yyyymmdd integer -> "YYYY-MM-DD" (no Date object: this runs once per signal over thousands of series). */
export function formatDate(yyyymmdd: number): string {
  const d = Math.trunc(yyyymmdd);
  const y = Math.trunc(d / 10000);
  const m = Math.trunc(d / 100) % 100;
  const day = d % 100;
  return `${y}-${m < 10 ? "0" : ""}${m}-${day < 10 ? "0" : ""}${day}`;
}

/** Rounds to 6 decimals; non-finite becomes 0 so NaN/Infinity never reach JSON (which would turn them into null). */
export function round6(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const r = Math.round(x * 1e6) / 1e6;
  return r === 0 ? 0 : r; // no -0 in output
}

/** Copies an ArrayLike (typed arrays from the loader) into a plain number[], the type indicatorts takes. */
export function toNumbers(a: ArrayLike<number>): number[] {
  return Array.from(a);
}

/** Sign of a - b with a tolerance scaled to the price level, so float noise on flat stretches is 0. */
function signWithTol(d: number, scale: number): number {
  const tol = 1e-10 * Math.abs(scale);
  return d > tol ? 1 : d < -tol ? -1 : 0;
}

/**
 * Latest sign change of a[i] - b[i] within the last `lookback` indices of the arrays, looking
 * no further back than index `first` (the first index where both are valid). `scale` gives
 * the price level per index for the zero tolerance. Returns the index of the first day with the
 * new strict sign and the direction (1 = a crossed above b), or null. O(lookback) except on a
 * long flat stretch, where finding the sign before the window is O(n) once.
 */
export function lastCross(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  scale: ArrayLike<number>,
  first: number,
  lookback: number,
): { index: number; dir: 1 | -1 } | null {
  const len = a.length;
  const start = Math.max(first + 1, len - lookback);
  if (start >= len) return null;
  let prev = 0;
  for (let j = start - 1; j >= first; j--) {
    const s = signWithTol(a[j] - b[j], scale[j]);
    if (s !== 0) {
      prev = s;
      break;
    }
  }
  let found: { index: number; dir: 1 | -1 } | null = null;
  for (let i = start; i < len; i++) {
    const s = signWithTol(a[i] - b[i], scale[i]);
    if (s === 0) continue;
    // A move away from an all-zero history (prev 0, a flat stretch) also counts as a cross.
    if (s !== prev) found = { index: i, dir: s > 0 ? 1 : -1 };
    prev = s;
  }
  return found;
}

/** Result of the moving-average cross check (shared with the screening strategies). */
export interface MaCross {
  enough: boolean;
  /** Index into the full series of the latest cross within the lookback window, or -1. */
  crossIndex: number;
  dir: 1 | -1 | 0;
  shortMa: number;
  longMa: number;
}

/**
 * SMA(short) vs SMA(long) at the end of `values`. Only the tail that the lookback window needs
 * is fed to the library: an SMA at index i depends on the last `period` values only, so this
 * is exact and saves most of the work on long series.
 */
export function maCross(values: number[], short: number, long: number, lookback: number): MaCross {
  const n = values.length;
  const longest = Math.max(short, long);
  if (n < longest + 1) return { enough: false, crossIndex: -1, dir: 0, shortMa: 0, longMa: 0 };
  const m = Math.min(n, longest + lookback);
  const offset = n - m;
  const tail = offset === 0 ? values : values.slice(offset);
  const s = sma(tail, { period: short });
  const l = sma(tail, { period: long });
  const cross = lastCross(s, l, tail, longest - 1, lookback);
  return {
    enough: true,
    crossIndex: cross ? cross.index + offset : -1,
    dir: cross ? cross.dir : 0,
    shortMa: s[m - 1],
    longMa: l[m - 1],
  };
}

/** True when every value equals the first (within 1e-12 of it): no indicator means anything. */
export function isConstant(values: ArrayLike<number>): boolean {
  const tol = 1e-12 * Math.abs(values[0]);
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i] - values[0]) > tol) return false;
  return true;
}

/**
 * Largest peak-to-trough fall, max over t of 1 - v[t] / max(v[start..t]), for start <= t < end.
 * 0 for fewer than two points.
 */
export function maxDrawdown(values: ArrayLike<number>, start = 0, end = values.length): number {
  let peak = -Infinity;
  let worst = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v > peak) peak = v;
    else if (peak > 0) {
      const dd = 1 - v / peak;
      if (dd > worst) worst = dd;
    }
  }
  return worst;
}

/** v[t] / v[t - n] - 1 at the last point; NaN when there are not n + 1 points (callers check). */
export function momentumAt(values: number[], n: number, t = values.length - 1): number {
  if (t - n < 0) return Number.NaN;
  return values[t] / values[t - n] - 1;
}

const NAMES: readonly SignalName[] = ["ma_cross", "macd_cross", "rsi", "bollinger", "drawdown", "momentum"];

/**
 * The six signals (ma_cross, macd_cross, rsi, bollinger, drawdown, momentum) of one series at
 * its last date; see the file header for the rules.
 */
export function computeSignals(s: Series, params?: Partial<Record<keyof SignalParamValues, number | undefined>>): Signal[] {
  const p = resolveSignalParams(params);
  const values = toNumbers(s.values);
  const dates = s.dates;
  const n = Math.min(values.length, dates.length);
  if (values.length > n) values.length = n;
  assertPositive("(signals input)", dates, values, "value");
  const lastDate = n > 0 ? formatDate(dates[n - 1]) : "";
  const last = n > 0 ? values[n - 1] : 0;
  const na = (name: SignalName, reason: NotApplicable, note: string): Signal => ({
    name,
    direction: "na",
    date: lastDate,
    value: null,
    note,
    reason,
  });
  if (s.moneyFund) return NAMES.map((name) => na(name, "money_fund", "not applicable: money market fund"));
  if (n >= 2 && isConstant(values)) return NAMES.map((name) => na(name, "constant", "not applicable: constant series"));
  const neutral = (name: SignalName, needs: number): Signal => na(name, "insufficient_data", `insufficient data: needs ${needs} points, has ${n}`);
  const out: Signal[] = [];

  // ma_cross
  const ma = maCross(values, p.ma_short, p.ma_long, p.lookback);
  if (!ma.enough) out.push(neutral("ma_cross", Math.max(p.ma_short, p.ma_long) + 1));
  else {
    const spread = round6(ma.shortMa / ma.longMa - 1);
    if (ma.crossIndex >= 0) {
      const up = ma.dir > 0;
      const date = formatDate(dates[ma.crossIndex]);
      out.push({
        name: "ma_cross",
        direction: up ? "buy" : "sell",
        date,
        value: spread,
        note: `SMA${p.ma_short} crossed ${up ? "above" : "below"} SMA${p.ma_long} on ${date}`,
      });
    } else {
      out.push({
        name: "ma_cross",
        direction: "neutral",
        date: lastDate,
        value: spread,
        note: `no SMA${p.ma_short}/SMA${p.ma_long} cross in the last ${p.lookback} days`,
      });
    }
  }

  // macd_cross
  const macdFirst = macdFirstIndex(p.macd_slow, p.macd_signal); // the signal line's first value
  if (n < macdFirst + 2) out.push(neutral("macd_cross", macdFirst + 2));
  else {
    const { line: macdLine, signal: signalLine } = macdSeeded(values, p.macd_fast, p.macd_slow, p.macd_signal);
    const hist = round6(macdLine[n - 1] - signalLine[n - 1]);
    const cross = lastCross(macdLine, signalLine, values, macdFirst, p.lookback);
    if (cross) {
      const up = cross.dir > 0;
      const date = formatDate(dates[cross.index]);
      out.push({
        name: "macd_cross",
        direction: up ? "buy" : "sell",
        date,
        value: hist,
        note: `MACD crossed ${up ? "above" : "below"} its signal line on ${date}`,
      });
    } else {
      out.push({
        name: "macd_cross",
        direction: "neutral",
        date: lastDate,
        value: hist,
        note: `no MACD/signal cross in the last ${p.lookback} days`,
      });
    }
  }

  // rsi
  const rsiLast = n < p.rsi_period + 1 ? Number.NaN : rsiWilder(values, p.rsi_period)[n - 1];
  if (n < p.rsi_period + 1) out.push(neutral("rsi", p.rsi_period + 1));
  else if (Number.isNaN(rsiLast)) out.push(na("rsi", "constant", "not applicable: no gain or loss yet"));
  else {
    const r = round6(rsiLast);
    const direction = r >= p.rsi_overbought ? "sell" : r <= p.rsi_oversold ? "buy" : "neutral";
    const note =
      direction === "sell"
        ? `RSI${p.rsi_period} ≥ ${p.rsi_overbought} (overbought)`
        : direction === "buy"
          ? `RSI${p.rsi_period} ≤ ${p.rsi_oversold} (oversold)`
          : `RSI${p.rsi_period} between ${p.rsi_oversold} and ${p.rsi_overbought}`;
    out.push({ name: "rsi", direction, date: lastDate, value: r, note });
  }

  // bollinger: the library fixes k = 2, so (upper - middle) / 2 is the standard deviation,
  // scaled here to boll_k. Only the last boll_period values matter for the last day's bands.
  if (n < p.boll_period) out.push(neutral("bollinger", p.boll_period));
  else {
    const tail = values.slice(n - p.boll_period);
    const bands = bb(tail, { period: p.boll_period });
    const mid = bands.middle[p.boll_period - 1];
    const sd = (bands.upper[p.boll_period - 1] - mid) / 2;
    const upper = mid + p.boll_k * sd;
    const lower = mid - p.boll_k * sd;
    const flat = signWithTol(upper - lower, last) === 0;
    const pctB = flat ? 0.5 : (last - lower) / (upper - lower);
    const direction = flat ? "neutral" : last < lower ? "buy" : last > upper ? "sell" : "neutral";
    const note =
      direction === "buy"
        ? `below the lower band (${round6(lower)})`
        : direction === "sell"
          ? `above the upper band (${round6(upper)})`
          : flat
            ? "bands are flat"
            : "inside the bands";
    out.push({ name: "bollinger", direction, date: lastDate, value: round6(pctB), note });
  }

  // drawdown
  if (n < 2) out.push(neutral("drawdown", 2));
  else {
    const from = Math.max(0, n - 1 - p.drawdown_window);
    let peak = values[from];
    let peakAt = from;
    for (let i = from + 1; i < n; i++) {
      if (values[i] >= peak) {
        peak = values[i];
        peakAt = i;
      }
    }
    const value = round6(peak > 0 ? Math.max(0, 1 - last / peak) : 0);
    const note = `${(value * 100).toFixed(2)}% below the peak of ${formatDate(dates[peakAt])}${from === 0 && n - 1 < p.drawdown_window ? ` (only ${n - 1} of ${p.drawdown_window} days of history)` : ""}`;
    out.push({ name: "drawdown", direction: value >= p.drawdown_alert ? "sell" : "neutral", date: lastDate, value, note });
  }

  // momentum
  if (n < p.momentum_period + 1) out.push(neutral("momentum", p.momentum_period + 1));
  else {
    const mom = momentumAt(values, p.momentum_period);
    const value = round6(mom);
    const direction = !Number.isFinite(mom) ? "neutral" : value >= p.momentum_threshold ? "buy" : value <= -p.momentum_threshold ? "sell" : "neutral";
    out.push({ name: "momentum", direction, date: lastDate, value, note: `${(value * 100).toFixed(2)}% over ${p.momentum_period} days` });
  }

  return out;
}
