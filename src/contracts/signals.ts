/**
 * Request and response schemas of the signals, strategies and backtests endpoints. Payload
 * schemas are the task types' own (written once, in src/tasks), re-used here as request bodies.
 */
import { z } from "zod";
import { SignalsPayload } from "@/tasks/signals";
import { BacktestPayload } from "@/tasks/backtest";

/** `POST /api/funds/signals/batch` and `/batch_async`: `{"fund_codes": [...]}` or `{"all": true}`, optional `params`. */
export const SignalsBatchBody = SignalsPayload;

/** `GET /api/funds/signals/batch_async/{task_id}` paging. */
export const SignalsPageQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const SignalJson = z.object({
  name: z.string(),
  direction: z.enum(["buy", "sell", "neutral"]),
  date: z.string(),
  value: z.number(),
  note: z.string().optional(),
});

export const SignalsPage = z.object({
  task_id: z.string(),
  status: z.string(),
  progress: z.number(),
  run_id: z.string().nullable(),
  /** Result rows written so far (grows while the task runs). */
  total: z.number(),
  /** Funds requested. */
  expected: z.number().nullable(),
  page: z.number(),
  page_size: z.number(),
  items: z.array(z.object({ fund_code: z.string(), signals: z.array(SignalJson), missing: z.boolean().optional() })),
});
export type SignalsPage = z.infer<typeof SignalsPage>;

/** `POST /api/strategies/{id}/execute`. */
export const ExecuteStrategyBody = z.object({ params: z.record(z.string().max(40), z.number().finite()).optional() }).strict();

/** `POST /api/backtests`: one backtest task per fund, as one batch. */
export const CreateBacktestBody = BacktestPayload.omit({ fund_code: true })
  .extend({ fund_codes: z.array(BacktestPayload.shape.fund_code).min(1).max(500) })
  .strict();

export const BacktestMetrics = z.object({
  total_return: z.number(),
  annualized_return: z.number(),
  volatility: z.number(),
  sharpe: z.number().nullable(),
  max_drawdown: z.number(),
  trades: z.number(),
  win_rate: z.number().nullable(),
  days: z.number(),
});

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
      status: z.string(),
      progress: z.number(),
      metrics: BacktestMetrics.nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type BacktestBatch = z.infer<typeof BacktestBatch>;
