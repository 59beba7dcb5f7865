/**
 * Parameter sweeps: one backtest per (fund, combination of ranged params), as one batch. An
 * axis is a range (`{"from":5,"to":20,"step":5}` → 5, 10, 15, 20) or a list (`[40, 60, 120]`);
 * the page's text form ("5..20 step 5", "40, 60, 120") parses to the same. Expansion is here,
 * beside the schema, so the browser previews exactly the combinations the server will make.
 * Combinations that break an order rule (ma_short ≥ ma_long) are skipped and reported.
 */
import { z } from "zod";
import { endpoint } from "./endpoint";
import { FundCode } from "./funds";
import { BacktestParams, BACKTEST_PARAM_SPECS, CreateBacktestBody, type BacktestStrategy } from "./backtests";
import { BACKTEST_COST_PARAMS, BACKTEST_STRATEGY_PARAMS, specNumber, type ParamGroup, type ParamSpec } from "./researchParams";

/** The most values one axis may have, and the most axes. */
export const MAX_AXIS_VALUES = 1000;
export const MAX_AXES = 4;
/** The default largest sweep, in tasks (QTASK_SWEEP_MAX_TASKS changes it on the server). */
export const DEFAULT_SWEEP_MAX_TASKS = 10_000;

/** `from..to step s` (both ends included when the steps land on `to`). */
export const SweepRange = z.strictObject({ from: z.number(), to: z.number(), step: z.number().positive("step must be above 0") });
/** One swept parameter: a range or a list of values. */
export const SweepAxis = z.union([SweepRange, z.array(z.number()).min(1).max(MAX_AXIS_VALUES)]);
export type SweepAxis = z.infer<typeof SweepAxis>;

/** How many values an axis has, computed without making them (so 1..1e9 step 1e-9 is refused cheaply). */
export function axisLength(a: SweepAxis): number {
  if (Array.isArray(a)) return new Set(a).size;
  if (a.to < a.from) return 0;
  // The 1e-9 absorbs binary fractions: 0.1..0.3 step 0.1 has three values, not two.
  return Math.floor((a.to - a.from) / a.step + 1e-9) + 1;
}

/** An axis's values, in order, without repeats; a range's rounded to 10 decimals (0.1 + 0.2 is 0.3). */
export function axisValues(a: SweepAxis): number[] {
  if (Array.isArray(a)) return [...new Set(a)];
  const n = axisLength(a);
  return Array.from({ length: n }, (_, i) => Number((a.from + i * a.step).toFixed(10)));
}

/** The params a strategy takes (its own, then the costs): the ones a sweep may range. */
export function sweepableSpecs(strategy: BacktestStrategy): ParamSpec[] {
  return [...((BACKTEST_STRATEGY_PARAMS as Record<string, ParamGroup>)[strategy]?.specs ?? []), ...BACKTEST_COST_PARAMS];
}

/** `POST /api/backtests/sweeps`: a backtest batch plus the axes; an axis overrides the same key in `params`. */
export const CreateSweepBody = CreateBacktestBody.extend({
  // Each field bounded, but the order rules wait for the combinations (expandSweep): a base
  // ma_short above the default ma_long is fine when ma_long is swept above it.
  params: z
    .strictObject(Object.fromEntries(BACKTEST_PARAM_SPECS.map((p) => [p.key, specNumber(p).optional()])))
    .optional(),
  sweep: z.record(z.string(), SweepAxis),
}).superRefine((b, ctx) => {
  const keys = Object.keys(b.sweep);
  if (keys.length < 1 || keys.length > MAX_AXES)
    ctx.addIssue({ code: "custom", path: ["sweep"], message: `a sweep ranges 1 to ${MAX_AXES} params (got ${keys.length})` });
  const specs = new Map(sweepableSpecs(b.strategy).map((s) => [s.key, s]));
  for (const [key, axis] of Object.entries(b.sweep)) {
    const spec = specs.get(key);
    if (!spec) {
      ctx.addIssue({ code: "custom", path: ["sweep", key], message: `${b.strategy} has no parameter ${key} (it takes ${[...specs.keys()].join(", ")})` });
      continue;
    }
    if (!Array.isArray(axis) && axis.to < axis.from) {
      ctx.addIssue({ code: "custom", path: ["sweep", key], message: `${key}: from (${axis.from}) is above to (${axis.to})` });
      continue;
    }
    const n = axisLength(axis);
    if (n > MAX_AXIS_VALUES) {
      ctx.addIssue({ code: "custom", path: ["sweep", key], message: `${key} has ${n} values, more than ${MAX_AXIS_VALUES}` });
      continue;
    }
    const check = specNumber(spec);
    for (const v of axisValues(axis)) {
      const r = check.safeParse(v);
      if (!r.success) {
        ctx.addIssue({ code: "custom", path: ["sweep", key], message: `${r.error.issues[0].message} (value ${v})` });
        break;
      }
    }
  }
});
export type CreateSweepBody = z.infer<typeof CreateSweepBody>;

/** The number of combinations before any is made or checked: the product of the axes' lengths. */
export function combinationCount(sweep: Record<string, SweepAxis>): number {
  return Object.values(sweep).reduce((n, a) => n * axisLength(a), 1);
}

/** A combination left out, and why. */
export interface SkippedCombination {
  params: Record<string, number>;
  reason: string;
}

/**
 * Every combination of the axes over the base params (first axis slowest), each checked with
 * the server's own BacktestParams schema; the ones it refuses (an order rule) are skipped.
 * Call only after combinationCount is known to be small enough.
 */
export function expandSweep(
  base: Record<string, number>,
  sweep: Record<string, SweepAxis>,
): { combinations: Record<string, number>[]; skipped: SkippedCombination[] } {
  const axes = Object.entries(sweep).map(([k, a]) => [k, axisValues(a)] as const);
  let combos: Record<string, number>[] = [{}];
  for (const [k, vs] of axes) combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
  const combinations: Record<string, number>[] = [];
  const skipped: SkippedCombination[] = [];
  for (const c of combos) {
    const r = BacktestParams.safeParse({ ...base, ...c });
    if (r.success) combinations.push(c);
    else skipped.push({ params: c, reason: r.error.issues[0].message });
  }
  return { combinations, skipped };
}

/**
 * The page's text for an axis: "5..20 step 5" (or "5..20", step 1), "40, 60, 120", or one
 * number. Returns the axis, or a message saying what is wrong.
 */
export function parseAxisText(text: string): SweepAxis | string {
  const t = text.trim();
  const range = /^(-?[\d.]+(?:e-?\d+)?)\s*\.\.\s*(-?[\d.]+(?:e-?\d+)?)(?:\s+step\s+([\d.]+(?:e-?\d+)?))?$/i.exec(t);
  if (range) {
    const [from, to, step] = [Number(range[1]), Number(range[2]), range[3] === undefined ? 1 : Number(range[3])];
    if (![from, to, step].every(Number.isFinite)) return `not a range: ${t}`;
    return { from, to, step };
  }
  const parts = t.replace(/^\[|\]$/g, "").split(/[,\s，]+/).filter(Boolean);
  const nums = parts.map(Number);
  if (parts.length === 0 || nums.some((n) => !Number.isFinite(n))) return `not a list of numbers or a range (a..b step s): ${t}`;
  return nums;
}

/** What a sweep made. */
export const SweepCreated = z.object({
  batch_id: z.string(),
  task_ids: z.array(z.string()),
  combinations: z.number(),
  funds: z.number(),
  skipped: z.number(),
  /** The first few combinations skipped, with the reason. */
  skipped_examples: z.array(z.object({ params: z.record(z.string(), z.number()), reason: z.string() })),
});

export const createSweep = endpoint({
  method: "POST",
  path: "/api/backtests/sweeps",
  role: "operator",
  audit: "backtest.sweep",
  tag: "backtests",
  summary:
    "A parameter sweep: one backtest per (fund, combination of the ranged params) as one batch, in one transaction; above QTASK_SWEEP_MAX_TASKS (default 10,000) tasks → 400, nothing written",
  body: CreateSweepBody,
  bodyLimit: 64 * 1024,
  response: SweepCreated,
});

/** The figures a sweep's heatmap and leaderboard can rank by, and which way is better. */
export const SWEEP_METRICS = {
  sharpe: "higher",
  total_return: "higher",
  annualized_return: "higher",
  sortino: "higher",
  calmar: "higher",
  excess_return: "higher",
  information_ratio: "higher",
  win_rate: "higher",
  max_drawdown: "lower",
  volatility: "lower",
} as const;
export type SweepMetric = keyof typeof SWEEP_METRICS;

export const SweepQuery = z
  .object({
    metric: z.enum(Object.keys(SWEEP_METRICS) as [SweepMetric, ...SweepMetric[]]).default("sharpe"),
    /** One fund's figures; without it, each cell is the mean over the funds. */
    fund: FundCode.optional(),
    /** The heatmap's axes (default the first two swept params). */
    x: z.string().max(40).optional(),
    y: z.string().max(40).optional(),
  })
  .strict();

/** One combination of the leaderboard. */
export const SweepComboJson = z.object({
  rank: z.number(),
  params: z.record(z.string(), z.number()),
  /** Mean of the metric over the funds in scope (one fund: its value). */
  mean: z.number().nullable(),
  median: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  /** Runs with a value / runs in scope. */
  n: z.number(),
  runs: z.number(),
  /** Funds on which this combination is the best. */
  wins: z.number(),
  /** The run of this combination on the fund in scope (null over all funds). */
  task_id: z.string().nullable(),
});

/** `GET /api/backtests/sweeps/{batch_id}`: the sweep rolled up for its page. */
export const SweepSummary = z.object({
  batch_id: z.string(),
  strategy: z.string(),
  /** The params every run shares (the swept ones left out). */
  base_params: z.record(z.string(), z.number()),
  axes: z.array(z.object({ key: z.string(), values: z.array(z.number()) })),
  start: z.string().nullable(),
  end: z.string().nullable(),
  benchmark: z.string().nullable(),
  author: z.string().nullable(),
  created_at: z.string(),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  progress: z.number(),
  funds: z.array(z.object({ fund_code: z.string(), fund_name: z.string().nullable() })),
  metric: z.string(),
  higher_is_better: z.boolean(),
  fund: z.string().nullable(),
  heatmap: z.object({
    x: z.string().nullable(),
    y: z.string().nullable(),
    xs: z.array(z.number()),
    ys: z.array(z.number()),
    /** cells[yi][xi]: mean of the runs with those two values (over the funds in scope and any other axes); null when none has a value. */
    cells: z.array(z.array(z.number().nullable())),
    counts: z.array(z.array(z.number())),
  }),
  combinations: z.number(),
  /** The combinations ranked (at most 500). */
  leaderboard: z.array(SweepComboJson),
  /**
   * How the best combination over all funds ranks on each fund: 1 is best, ties share the
   * mean rank. kendall_w is Kendall's coefficient of concordance of the funds' rankings of
   * every combination (1: every fund ranks them alike; 0: no agreement), over the funds with a
   * value for every combination, with the tie correction.
   */
  robustness: z
    .object({
      params: z.record(z.string(), z.number()),
      per_fund: z.array(z.object({ fund_code: z.string(), rank: z.number(), of: z.number(), value: z.number() })),
      median_rank: z.number(),
      mean_rank: z.number(),
      top_quartile_share: z.number(),
      first_share: z.number(),
      kendall_w: z.number().nullable(),
      kendall_funds: z.number(),
    })
    .nullable(),
});
export type SweepSummary = z.infer<typeof SweepSummary>;

export const getSweep = endpoint({
  method: "GET",
  path: "/api/backtests/sweeps/{batch_id}",
  role: "viewer",
  tag: "backtests",
  summary: "A sweep rolled up: status, a heatmap of a metric over two params (mean over funds, or one fund), the leaderboard, the best combination's rank stability",
  params: z.object({ batch_id: z.string().min(1).max(100) }),
  query: SweepQuery,
  response: SweepSummary,
});

/** `POST /api/backtests/batches/{batch_id}/rerun`: the same backtests again, over another window. */
export const RerunBody = z
  .object({
    start: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD").nullable().optional(),
    end: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD").nullable().optional(),
  })
  .strict()
  .refine((b) => !b.start || !b.end || b.start <= b.end, { path: ["end"], message: "end must not be before start" });

export const rerunBacktests = endpoint({
  method: "POST",
  path: "/api/backtests/batches/{batch_id}/rerun",
  role: "operator",
  audit: "backtest.rerun",
  tag: "backtests",
  summary:
    "Enqueue every backtest of a batch (or sweep) again as a new batch, in one transaction, with the window changed (start/end: a date, null for the whole series, absent to keep)",
  params: z.object({ batch_id: z.string().min(1).max(100) }),
  body: RerunBody,
  response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()) }),
});
