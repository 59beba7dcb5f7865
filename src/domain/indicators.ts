/**
 * The indicators whose textbook definition starts from a seed, written here because the
 * library the rest uses (indicatorts) seeds them differently: its EMA starts from the first
 * value and its RSI from the first change, so for the first ~100 bars (a young fund's whole
 * history) its MACD and RSI differ from the definition by more than 1e-6. SMA and Bollinger
 * bands have no seed and still come from indicatorts. Every function returns an array as long
 * as its input with NaN where the indicator is not defined yet; the test suite checks each
 * against a second library (trading-signals) on the vendored index series.
 */

/**
 * EMA with smoothing α = 2 / (period + 1), seeded by the simple average of the first `period`
 * values (defined from index period − 1): ema_t = ema_{t−1} + α (v_t − ema_{t−1}). NaN
 * values at the start of `values` (an upstream indicator's warm-up) are skipped: the seed is
 * the average of the first `period` defined values.
 */
export function emaSeeded(values: ArrayLike<number>, period: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  let first = 0;
  while (first < n && Number.isNaN(values[first])) first++;
  const seedAt = first + period - 1;
  if (seedAt >= n) return out;
  let sum = 0;
  for (let i = first; i <= seedAt; i++) sum += values[i];
  let e = sum / period;
  out[seedAt] = e;
  const alpha = 2 / (period + 1);
  for (let i = seedAt + 1; i < n; i++) {
    e += alpha * (values[i] - e);
    out[i] = e;
  }
  return out;
}

/**
 * Wilder's RSI: average gain and loss seeded by the simple averages of the first `period`
 * changes, then smoothed as avg_t = (avg_{t−1} (period − 1) + x_t) / period; RSI = 100 −
 * 100 / (1 + gain / loss), 100 when there was no loss. Defined from index `period`; NaN where
 * neither gains nor losses have ever happened (a constant series has no RSI).
 */
export function rsiWilder(values: ArrayLike<number>, period: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(Number.NaN);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = values[i] - values[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  const value = () => (loss === 0 ? (gain === 0 ? Number.NaN : 100) : 100 - 100 / (1 + gain / loss));
  out[period] = value();
  for (let i = period + 1; i < n; i++) {
    const d = values[i] - values[i - 1];
    gain = (gain * (period - 1) + (d > 0 ? d : 0)) / period;
    loss = (loss * (period - 1) + (d < 0 ? -d : 0)) / period;
    out[i] = value();
  }
  return out;
}

/** MACD line, signal line and histogram, each NaN until defined. */
export interface Macd {
  /** EMA(fast) − EMA(slow); defined from index slow − 1. */
  line: Float64Array;
  /** EMA(signal) of the line, seeded by the average of its first `signal` values; defined from slow + signal − 2. */
  signal: Float64Array;
  /** line − signal (not × 2 as some Chinese charting software draws it). */
  histogram: Float64Array;
}

/** MACD(fast, slow, signal) from SMA-seeded EMAs. */
export function macdSeeded(values: ArrayLike<number>, fast: number, slow: number, signal: number): Macd {
  const f = emaSeeded(values, fast);
  const s = emaSeeded(values, slow);
  const n = values.length;
  const line = new Float64Array(n);
  for (let i = 0; i < n; i++) line[i] = f[i] - s[i];
  const sig = emaSeeded(line, signal);
  const histogram = new Float64Array(n);
  for (let i = 0; i < n; i++) histogram[i] = line[i] - sig[i];
  return { line, signal: sig, histogram };
}

/** Index of the first value where MACD's signal line is defined. */
export function macdFirstIndex(slow: number, signal: number): number {
  return slow + signal - 2;
}
