/**
 * A parameter sweep's figures, from its runs (one per fund and combination): the leaderboard
 * of combinations, a heatmap over two swept params, and how robust the best combination is
 * across funds. Conventions (the README's table repeats them):
 * - a combination's score is the mean of the metric over the runs in scope that have a value
 *   (over the funds, or one fund's run); the leaderboard sorts by it, best first, ties sharing
 *   a rank (1, 2, 2, 4);
 * - a heatmap cell is the mean over every run in scope with those two values (so over the
 *   funds and any third swept param);
 * - ranks within one fund: 1 = best, tied values share their mean rank;
 * - Kendall's W = 12·S / (m²(n³ − n) − m·ΣT), S = Σ_j (R_j − m(n+1)/2)², T = Σ(t³ − t) over each
 *   fund's groups of ties, m funds with a value for all n combinations.
 */

/** One run of a sweep. */
export interface SweepRun {
  taskId: string;
  fund: string;
  /** The swept params' values. */
  combo: Record<string, number>;
  /** The metric, null when the run has none (not finished, failed, or undefined for it). */
  value: number | null;
}

export interface SweepOptions {
  axes: string[];
  higherIsBetter: boolean;
  /** One fund, or null for the mean over the funds. */
  fund: string | null;
  x: string | null;
  y: string | null;
}

const keyOf = (axes: string[], combo: Record<string, number>) => axes.map((k) => combo[k]).join("|");
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

/** The median of xs (mean of the middle two for an even count); null for none. */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Ranks of values, 1 = best; tied values get the mean of the ranks they span. */
export function fractionalRanks(values: number[], higherIsBetter: boolean): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => (higherIsBetter ? b[0] - a[0] : a[0] - b[0]));
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/** Kendall's W for m raters (rows) each ranking the same n items, with the tie correction; null when undefined. */
export function kendallW(rankRows: number[][]): number | null {
  const m = rankRows.length;
  const n = rankRows[0]?.length ?? 0;
  if (m < 2 || n < 2) return null;
  const sums = new Array<number>(n).fill(0);
  let ties = 0;
  for (const row of rankRows) {
    row.forEach((r, j) => (sums[j] += r));
    const counts = new Map<number, number>();
    for (const r of row) counts.set(r, (counts.get(r) ?? 0) + 1);
    for (const t of counts.values()) ties += t ** 3 - t;
  }
  const meanSum = (m * (n + 1)) / 2;
  const s = sums.reduce((acc, r) => acc + (r - meanSum) ** 2, 0);
  const denominator = m * m * (n ** 3 - n) - m * ties;
  return denominator > 0 ? (12 * s) / denominator : null;
}

export interface ComboRow {
  rank: number;
  params: Record<string, number>;
  mean: number | null;
  median: number | null;
  min: number | null;
  max: number | null;
  n: number;
  runs: number;
  wins: number;
  taskId: string | null;
}

export interface SweepFigures {
  leaderboard: ComboRow[];
  heatmap: { x: string | null; y: string | null; xs: number[]; ys: number[]; cells: (number | null)[][]; counts: number[][] };
  robustness: {
    params: Record<string, number>;
    perFund: { fund: string; rank: number; of: number; value: number }[];
    medianRank: number;
    meanRank: number;
    topQuartileShare: number;
    firstShare: number;
    kendallW: number | null;
    kendallFunds: number;
  } | null;
}

/** The leaderboard, heatmap and robustness of a sweep's runs (conventions in the module's doc). */
export function sweepFigures(runs: SweepRun[], o: SweepOptions): SweepFigures {
  const better = (a: number, b: number) => (o.higherIsBetter ? a > b : a < b);
  const combos = new Map<string, Record<string, number>>();
  for (const r of runs) if (!combos.has(keyOf(o.axes, r.combo))) combos.set(keyOf(o.axes, r.combo), r.combo);
  const funds = [...new Set(runs.map((r) => r.fund))];
  // value[fund][comboKey]
  const byFund = new Map<string, Map<string, { value: number | null; taskId: string }>>();
  for (const r of runs) {
    const m = byFund.get(r.fund) ?? new Map();
    m.set(keyOf(o.axes, r.combo), { value: r.value, taskId: r.taskId });
    byFund.set(r.fund, m);
  }
  const scopeFunds = o.fund ? funds.filter((f) => f === o.fund) : funds;

  // Wins: on each fund in scope, the combinations with its best value.
  const wins = new Map<string, number>();
  for (const f of scopeFunds) {
    const vals = [...(byFund.get(f) ?? new Map()).entries()].filter(([, v]) => v.value !== null) as [string, { value: number }][];
    if (vals.length === 0) continue;
    const best = vals.reduce((b, [, v]) => (better(v.value, b) ? v.value : b), vals[0][1].value);
    for (const [k, v] of vals) if (v.value === best) wins.set(k, (wins.get(k) ?? 0) + 1);
  }

  const rows: ComboRow[] = [...combos.entries()].map(([k, params]) => {
    const cells = scopeFunds.map((f) => byFund.get(f)?.get(k)).filter((c) => c !== undefined);
    const values = cells.map((c) => c.value).filter((v): v is number => v !== null);
    return {
      rank: 0,
      params,
      mean: mean(values),
      median: median(values),
      min: values.length ? Math.min(...values) : null,
      max: values.length ? Math.max(...values) : null,
      n: values.length,
      runs: cells.length,
      wins: wins.get(k) ?? 0,
      taskId: o.fund ? (cells[0]?.taskId ?? null) : null,
    };
  });
  // Array.prototype.sort is stable: equal scores keep the order the combinations were made in.
  rows.sort((a, b) => {
    if (a.mean === null || b.mean === null) return a.mean === null ? (b.mean === null ? 0 : 1) : -1;
    return a.mean === b.mean ? 0 : better(a.mean, b.mean) ? -1 : 1;
  });
  rows.forEach((r, i) => {
    const prev = rows[i - 1];
    r.rank = r.mean === null ? 0 : prev && prev.mean === r.mean ? prev.rank : i + 1;
  });

  // Heatmap over x (columns) and y (rows); every other axis and the funds in scope averaged.
  const valuesOf = (k: string | null) =>
    k ? [...new Set([...combos.values()].map((c) => c[k]))].filter((v) => v !== undefined).sort((a, b) => a - b) : [];
  const xs = valuesOf(o.x);
  const ys = o.y ? valuesOf(o.y) : [];
  const sum = Array.from({ length: Math.max(ys.length, 1) }, () => new Array<number>(xs.length).fill(0));
  const counts = Array.from({ length: Math.max(ys.length, 1) }, () => new Array<number>(xs.length).fill(0));
  for (const r of runs) {
    if (r.value === null || (o.fund && r.fund !== o.fund) || !o.x) continue;
    const xi = xs.indexOf(r.combo[o.x]);
    const yi = o.y ? ys.indexOf(r.combo[o.y]) : 0;
    if (xi < 0 || yi < 0) continue;
    sum[yi][xi] += r.value;
    counts[yi][xi] += 1;
  }
  const cells = sum.map((row, yi) => row.map((s, xi) => (counts[yi][xi] ? s / counts[yi][xi] : null)));

  return { leaderboard: rows, heatmap: { x: o.x, y: o.y, xs, ys, cells, counts }, robustness: robustness(runs, o, byFund, funds, [...combos.keys()]) };
}

/** The best combination over every fund, and its ranks fund by fund; Kendall's W over the complete funds. */
function robustness(
  runs: SweepRun[],
  o: SweepOptions,
  byFund: Map<string, Map<string, { value: number | null }>>,
  funds: string[],
  keys: string[],
): SweepFigures["robustness"] {
  const better = (a: number, b: number) => (o.higherIsBetter ? a > b : a < b);
  let bestKey: string | null = null;
  let bestMean: number | null = null;
  for (const k of keys) {
    const vs = funds.map((f) => byFund.get(f)?.get(k)?.value).filter((v): v is number => v !== null && v !== undefined);
    const m = mean(vs);
    if (m !== null && (bestMean === null || better(m, bestMean))) [bestKey, bestMean] = [k, m];
  }
  if (bestKey === null) return null;
  const perFund: { fund: string; rank: number; of: number; value: number }[] = [];
  const complete: number[][] = [];
  for (const f of funds) {
    const cells = byFund.get(f) ?? new Map();
    const present = keys.filter((k) => typeof cells.get(k)?.value === "number");
    const values = present.map((k) => cells.get(k)!.value as number);
    const ranks = fractionalRanks(values, o.higherIsBetter);
    const at = present.indexOf(bestKey);
    if (at >= 0 && present.length >= 2) perFund.push({ fund: f, rank: ranks[at], of: present.length, value: values[at] });
    if (present.length === keys.length) complete.push(ranks);
  }
  if (perFund.length === 0) return null;
  const ranks = perFund.map((p) => p.rank);
  const params = runs.find((r) => keyOf(o.axes, r.combo) === bestKey)!.combo;
  return {
    params,
    perFund,
    medianRank: median(ranks)!,
    meanRank: mean(ranks)!,
    topQuartileShare: perFund.filter((p) => p.rank <= Math.ceil(p.of / 4)).length / perFund.length,
    firstShare: perFund.filter((p) => p.rank === 1).length / perFund.length,
    kendallW: kendallW(complete),
    kendallFunds: complete.length,
  };
}
