/**
 * The arithmetic of the daily roll-up (sql/dailyStats.ts reads and writes it): runs grouped by
 * day, task type and queue into counts by outcome and two histograms, and percentiles read
 * back from merged histograms — so a week of one type, a queue across types or the whole fleet
 * all come from the same stored rows.
 *
 * Conventions (the README's "Trends" repeats them):
 * - a run counts on the day (in the dashboard's time zone) it finished;
 * - duration: succeeded runs' duration_ms;
 * - wait: from when the task was due (run_at: enqueue, or the delay or backoff asked for) to the
 *   run's start, for the run that is its task's latest (an earlier attempt's due time is not kept);
 * - histogram buckets: bucket 0 holds 0–1 ms, bucket k ≥ 1 holds (2^((k-1)/16), 2^(k/16)] ms, each
 *   4.4 % wider than the one before; a percentile p is the nearest-rank value (rank ⌈p·n⌉ of
 *   the n values, ascending) reported as the upper edge of its bucket, rounded to the ms.
 */

/** Buckets per doubling. */
export const STEPS_PER_DOUBLING = 16;

/** A histogram: bucket index (as text, JSON's keys) → count. */
export type Hist = Record<string, number>;

/** One cell of the roll-up: a day, type and queue. */
export interface StatCell {
  runs: number;
  /** Run status → count. */
  outcomes: Record<string, number>;
  duration: Hist;
  wait: Hist;
}

/** A run as the roll-up counts it. */
export interface RunFact {
  type: string;
  queue: string;
  status: string;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number | null;
  /** When its task was due (null: not the task's latest run). */
  dueAt: Date | null;
}

/** The dashboard's days: the day key of an instant, and the instant a day starts. */
export interface DayClock {
  dayOf(ms: number): string;
  startOf(day: string): number;
}

/** The bucket of a value in ms (negative values count as 0). */
export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  // The tiny epsilon keeps exact powers (2 ms, 4 ms) in their own bucket despite rounding.
  return Math.ceil(STEPS_PER_DOUBLING * Math.log2(ms) - 1e-9);
}

/** The upper edge of bucket k in ms. */
export function bucketEdge(k: number): number {
  return k <= 0 ? 1 : 2 ** (k / STEPS_PER_DOUBLING);
}

/** An empty cell. */
export function emptyCell(): StatCell {
  return { runs: 0, outcomes: {}, duration: {}, wait: {} };
}

function addTo(h: Hist, k: number, n = 1): void {
  h[k] = (h[k] ?? 0) + n;
}

/** Counts one run into a cell. */
export function countRun(cell: StatCell, r: RunFact): void {
  cell.runs++;
  cell.outcomes[r.status] = (cell.outcomes[r.status] ?? 0) + 1;
  if (r.status === "succeeded" && r.durationMs !== null) addTo(cell.duration, bucketOf(r.durationMs));
  if (r.dueAt) addTo(cell.wait, bucketOf(r.startedAt.getTime() - r.dueAt.getTime()));
}

/** Adds `b` into `a`. */
export function mergeCell(a: StatCell, b: StatCell): StatCell {
  a.runs += b.runs;
  for (const [s, n] of Object.entries(b.outcomes)) a.outcomes[s] = (a.outcomes[s] ?? 0) + n;
  for (const [k, n] of Object.entries(b.duration)) addTo(a.duration, Number(k), n);
  for (const [k, n] of Object.entries(b.wait)) addTo(a.wait, Number(k), n);
  return a;
}

/** The p-th percentile (0–100) of a histogram, by the convention above; null when it is empty. */
export function histPercentile(h: Hist, p: number): number | null {
  const buckets = Object.entries(h)
    .map(([k, n]) => [Number(k), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const n = buckets.reduce((s, [, c]) => s + c, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  let seen = 0;
  for (const [k, c] of buckets) {
    seen += c;
    if (seen >= rank) return Math.round(bucketEdge(k));
  }
  return Math.round(bucketEdge(buckets[buckets.length - 1][0]));
}

/** Runs grouped by day, type and queue (key `day|type|queue`). */
export function groupRuns(facts: Iterable<RunFact>, clock: DayClock, into = new Map<string, StatCell>()): Map<string, StatCell> {
  for (const r of facts) {
    const key = `${clock.dayOf(r.finishedAt.getTime())}|${r.type}|${r.queue}`;
    let cell = into.get(key);
    if (!cell) into.set(key, (cell = emptyCell()));
    countRun(cell, r);
  }
  return into;
}
