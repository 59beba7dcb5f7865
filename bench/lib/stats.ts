/** Small statistics helpers: medians over repetitions and percentiles over samples. */

/** p-th percentile (0–100) of numbers, nearest-rank (the value of a real sample, never an interpolation). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Median (the mean of the two middle values for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A figure over repetitions: median, min and max, and every repetition's value. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  reps: number[];
}

export function summarize(reps: number[]): Summary {
  const ok = reps.filter((v) => Number.isFinite(v));
  return { median: median(ok), min: Math.min(...ok), max: Math.max(...ok), reps };
}

/** p50/p95/p99 of one repetition's samples. */
export function latencyPercentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) };
}

/** 12345.6 → "12,346"; small values keep significant digits (2.345 → "2.35"). */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
