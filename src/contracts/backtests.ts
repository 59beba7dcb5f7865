/**
 * Backtests: the strategies and their parameters (shared by the task type, the domain maths and
 * the API), the payload of one backtest, and the batch the API creates and reads.
 */
import { z } from "zod";
import { endpoint } from "./endpoint";
import { FundCode } from "./funds";
import { BACKTEST_COST_PARAMS, BACKTEST_STRATEGY_PARAMS, checkOrder, specNumber, type ParamGroup, type ParamSpec } from "./researchParams";

/** Every parameter any backtest strategy takes, once each, then the costs (researchParams.ts declares them). */
export const BACKTEST_PARAM_SPECS: ParamSpec[] = [
  ...new Map(
    Object.values(BACKTEST_STRATEGY_PARAMS)
      .flatMap((g: ParamGroup) => g.specs)
      .map((p) => [p.key, p] as const),
  ).values(),
  ...BACKTEST_COST_PARAMS,
];

/** Backtest parameters: strategy params plus costs; every field has a default and unknown fields are rejected. */
export const BacktestParams = z
  .strictObject(
    Object.fromEntries(BACKTEST_PARAM_SPECS.map((p) => [p.key, specNumber(p).default(p.default)])) as Record<
      BacktestParamKey,
      z.ZodDefault<z.ZodNumber>
    >,
  )
  .superRefine((p, ctx) =>
    checkOrder(
      p,
      BACKTEST_PARAM_SPECS,
      Object.values(BACKTEST_STRATEGY_PARAMS).flatMap((g: ParamGroup) => g.order),
      ctx,
    ),
  );

/** The names of the backtest parameters. */
export type BacktestParamKey =
  | "ma_short"
  | "ma_long"
  | "rsi_period"
  | "rsi_oversold"
  | "rsi_overbought"
  | "momentum_period"
  | "momentum_threshold"
  | "fee_buy"
  | "fee_sell"
  | "risk_free"
  | "initial";

/** Params as a request gives them (all optional). */
export type BacktestParamsInput = z.input<typeof BacktestParams>;
/** Params with the defaults filled in. */
export type BacktestParamValues = z.output<typeof BacktestParams>;

export const BACKTEST_STRATEGIES = ["ma_cross", "rsi", "buy_hold", "momentum"] as const;
export type BacktestStrategy = (typeof BACKTEST_STRATEGIES)[number];

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "YYYY-MM-DD");

/** The benchmark when a backtest names none: 沪深300. */
export const DEFAULT_BENCHMARK = "000300.SH";

/** A `backtest` payload: one fund, one strategy; `benchmark` an index code (default 沪深300) or null for none. */
export const BacktestPayload = z
  .object({
    fund_code: FundCode,
    strategy: z.enum(BACKTEST_STRATEGIES),
    params: BacktestParams.optional(),
    start: Day.optional(),
    end: Day.optional(),
    benchmark: FundCode.nullable().optional(),
  })
  .strict();

/** `POST /api/backtests`: one backtest task per fund, as one batch. */
export const CreateBacktestBody = BacktestPayload.omit({ fund_code: true })
  .extend({ fund_codes: z.array(BacktestPayload.shape.fund_code).min(1).max(500) })
  .strict();

/**
 * A backtest's figures (conventions: src/domain/backtest.ts and the README). Returns are
 * fractions; null = not defined (annualised figures over fewer than 63 days, a ratio over 0,
 * relative figures without a benchmark).
 */
export const BacktestMetrics = z.object({
  total_return: z.number(),
  annualized_return: z.number().nullable(),
  volatility: z.number().nullable(),
  sharpe: z.number().nullable(),
  sortino: z.number().nullable(),
  calmar: z.number().nullable(),
  max_drawdown: z.number(),
  max_drawdown_peak: z.string().nullable(),
  max_drawdown_trough: z.string().nullable(),
  max_drawdown_recovery: z.string().nullable(),
  /** Trading days from the peak to the recovery (to the last day when not recovered). */
  max_drawdown_days: z.number(),
  trades: z.number(),
  round_trips: z.number(),
  win_rate: z.number().nullable(),
  profit_factor: z.number().nullable(),
  exposure: z.number(),
  buy_hold_return: z.number(),
  /** The benchmark's code, or null when the backtest has none. */
  benchmark: z.string().nullable(),
  benchmark_return: z.number().nullable(),
  excess_return: z.number().nullable(),
  beta: z.number().nullable(),
  alpha: z.number().nullable(),
  tracking_error: z.number().nullable(),
  information_ratio: z.number().nullable(),
  days: z.number(),
});
export type BacktestMetrics = z.infer<typeof BacktestMetrics>;

/** `GET /api/backtests/batches/{batch_id}`. */
export const BacktestBatch = z.object({
  batch_id: z.string(),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  items: z.array(
    z.object({
      task_id: z.string(),
      run_id: z.string().nullable(),
      fund_code: z.string(),
      fund_name: z.string().nullable(),
      strategy: z.string(),
      /** The params this run used that its strategy reads (its own, then the costs): a sweep's runs differ here. */
      params: z.record(z.string(), z.number()),
      status: z.string(),
      progress: z.number(),
      metrics: BacktestMetrics.nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type BacktestBatch = z.infer<typeof BacktestBatch>;

export const createBacktests = endpoint({
  method: "POST",
  path: "/api/backtests",
  role: "operator",
  audit: "backtest.create",
  tag: "backtests",
  summary: "One backtest task per fund, as one batch (one transaction) → 201 {batch_id, task_ids}",
  body: CreateBacktestBody,
  bodyLimit: 64 * 1024,
  response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()) }),
});

export const getBacktestBatch = endpoint({
  method: "GET",
  path: "/api/backtests/batches/{batch_id}",
  role: "viewer",
  tag: "backtests",
  summary: "Every task of a backtest batch with its status and result metrics (the equity curve: GET /api/tasks/{id})",
  params: z.object({ batch_id: z.string().min(1).max(100) }),
  response: BacktestBatch,
});

export const backtestBatchCsv = endpoint({
  method: "GET",
  path: "/api/backtests/batches/{batch_id}/download",
  role: "viewer",
  tag: "backtests",
  summary: "A backtest batch's metrics as CSV: one row per run, its params, then one column per figure (fractions, as the API gives them)",
  params: z.object({ batch_id: z.string().min(1).max(100) }),
  produces: "text/csv",
});

export const backtestEquityCsv = endpoint({
  method: "GET",
  path: "/api/backtests/tasks/{task_id}/equity/download",
  role: "viewer",
  tag: "backtests",
  summary: "One backtest's equity curve as CSV (date, strategy, buy and hold, benchmark, drawdown; as stored: at most 500 points)",
  params: z.object({ task_id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  produces: "text/csv",
});
