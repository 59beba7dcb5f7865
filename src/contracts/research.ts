/**
 * The history of screens and backtests (/strategies and /backtests): who ran what with which
 * params, when, and its headline figures; newest first, cursor-paginated, filterable.
 */
import { z } from "zod";
import { Cursor } from "./common";
import { endpoint, CursorPage } from "./endpoint";
import { FundCode } from "./funds";

const blank = <T extends z.ZodType>(s: T) =>
  z
    .union([z.literal(""), s])
    .optional()
    .transform((v) => (v === "" ? undefined : (v as z.output<T> | undefined)));

/** Filters and paging of both histories. */
export const HistoryQuery = z
  .object({
    strategy: blank(z.string().regex(/^[a-z_]{1,40}$/, "a strategy id such as ma_cross")),
    /** A username or token name, as "who started it" shows. */
    author: blank(z.string().max(100)),
    /** A schedule's id: only the runs it started. */
    schedule: blank(z.string().max(100)),
    /** Only runs about this fund: a screen that matched it, a batch that tested it. */
    fund: blank(FundCode),
    cursor: blank(Cursor),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
export type HistoryQuery = z.output<typeof HistoryQuery>;

const Who = {
  /** Who started it through the API; null when a schedule did (schedule_name then says which). */
  author: z.string().nullable(),
  schedule_id: z.string().nullable(),
  schedule_name: z.string().nullable(),
  created_at: z.string(),
};

/** One screen run. */
export const ScreenRunJson = z.object({
  task_id: z.string(),
  strategy: z.string(),
  /** The params as given (the run's provenance has them with defaults filled in). */
  params: z.record(z.string(), z.number()),
  as_of: z.string().nullable(),
  ...Who,
  status: z.string(),
  progress: z.number(),
  evaluated: z.number().nullable(),
  matched: z.number().nullable(),
  /** The best few matches. */
  top: z.array(z.object({ fund_code: z.string(), fund_name: z.string().nullable() })),
  data_hash: z.string().nullable(),
});
export type ScreenRunJson = z.infer<typeof ScreenRunJson>;

const Best = z.object({ fund_code: z.string(), value: z.number() }).nullable();

/** One backtest batch (or a single backtest a schedule started: batch_id "task-{id}"). */
export const BacktestBatchSummary = z.object({
  batch_id: z.string(),
  strategy: z.string(),
  params: z.record(z.string(), z.number()),
  start: z.string().nullable(),
  end: z.string().nullable(),
  benchmark: z.string().nullable(),
  ...Who,
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  progress: z.number(),
  /** How many funds; `funds` names the first five. */
  fund_count: z.number(),
  funds: z.array(z.object({ fund_code: z.string(), fund_name: z.string().nullable() })),
  /** The params whose values differ between the batch's runs (a sweep's axes), with their values. */
  swept: z.record(z.string(), z.array(z.number())),
  median_sharpe: z.number().nullable(),
  best_sharpe: Best,
  median_return: z.number().nullable(),
  best_return: Best,
});
export type BacktestBatchSummary = z.infer<typeof BacktestBatchSummary>;

export const screenHistory = endpoint({
  method: "GET",
  path: "/api/strategies/runs",
  role: "viewer",
  tag: "strategies",
  summary: "Past screen runs, newest first (cursor-paginated): who, when, params, status, matches; filter by strategy, author, schedule, fund",
  query: HistoryQuery,
  response: CursorPage(ScreenRunJson),
});

/** The backtest history's query: the shared filters, or `batches=a,b` for up to five named batches (to compare them). */
export const BacktestHistoryQuery = HistoryQuery.extend({
  batches: blank(
    z
      .string()
      .regex(/^[^,]{1,100}(,[^,]{1,100}){0,4}$/, "one to five batch ids, comma-separated")
      .transform((s) => [...new Set(s.split(","))]),
  ),
});

export const backtestHistory = endpoint({
  method: "GET",
  path: "/api/backtests/batches",
  role: "viewer",
  tag: "backtests",
  summary:
    "Past backtest batches, newest first (cursor-paginated): who, when, params, window, funds, status, median and best Sharpe and return; or the batches named by batches=a,b (to compare them)",
  query: BacktestHistoryQuery,
  response: CursorPage(BacktestBatchSummary),
});

/** `?ids=1,2`: two to five screen runs, compared in the order of their ids (oldest first). */
export const ScreenCompareQuery = z
  .object({
    ids: z
      .string()
      .regex(/^\d{1,15}(,\d{1,15}){1,4}$/, "two to five task ids, comma-separated")
      .transform((s) => [...new Set(s.split(",").map(Number))].sort((a, b) => a - b))
      .refine((ids) => ids.length >= 2, "two different task ids at least"),
  })
  .strict();

const FundRef = z.object({ fund_code: z.string(), fund_name: z.string().nullable() });

/** Screen runs side by side, and the funds that entered and left between each run and the next. */
export const ScreenComparison = z.object({
  runs: z.array(
    ScreenRunJson.extend({
      /** The params with the defaults filled in (from the run's provenance; null before it ran). */
      params_applied: z.record(z.string(), z.number()).nullable(),
    }),
  ),
  changes: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      /** Matched by `to`, not by `from`. */
      entered: z.array(FundRef),
      /** Matched by `from`, not by `to`. */
      left: z.array(FundRef),
      stayed: z.number(),
    }),
  ),
});
export type ScreenComparison = z.infer<typeof ScreenComparison>;

export const compareScreens = endpoint({
  method: "GET",
  path: "/api/strategies/runs/compare",
  role: "viewer",
  tag: "strategies",
  summary: "Two to five screen runs side by side (params, data, matches) and the funds that entered and left between each and the next",
  query: ScreenCompareQuery,
  response: ScreenComparison,
});
