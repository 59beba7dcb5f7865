/**
 * Signals: their parameters (defaults and request-side validation, shared by the task type,
 * the domain maths and the API), the payload of a signals batch, and the paged results.
 */
import { z } from "zod";
import { IdParam } from "./common";
import { endpoint } from "./endpoint";
import { FundCode, Ymd } from "./funds";

/** Default parameters of computeSignals (also what the API documents). */
export const DEFAULT_SIGNAL_PARAMS = {
  ma_short: 5,
  ma_long: 20,
  macd_fast: 12,
  macd_slow: 26,
  macd_signal: 9,
  rsi_period: 14,
  rsi_overbought: 70,
  rsi_oversold: 30,
  boll_period: 20,
  boll_k: 2,
  drawdown_window: 250,
  drawdown_alert: 0.1,
  momentum_period: 20,
  momentum_threshold: 0.05,
  lookback: 5,
};

/** The full set of signal parameters. */
export type SignalParamValues = typeof DEFAULT_SIGNAL_PARAMS;

const period = z.number().int().min(2).max(250);

/**
 * Request-side validation of signal parameters: every field optional and bounded; unknown
 * fields rejected. Pairs that only make sense one way round (short < long MA, fast < slow MACD,
 * oversold < overbought) are checked after filling in the defaults, so `{ ma_short: 30 }` alone
 * is rejected against the default ma_long of 20.
 */
export const SignalParams = z
  .strictObject({
    ma_short: period.optional(),
    ma_long: period.optional(),
    macd_fast: period.optional(),
    macd_slow: period.optional(),
    macd_signal: period.optional(),
    rsi_period: period.optional(),
    rsi_overbought: z.number().min(50).max(100).optional(),
    rsi_oversold: z.number().min(0).max(50).optional(),
    boll_period: period.optional(),
    boll_k: z.number().min(0.5).max(5).optional(),
    drawdown_window: period.optional(),
    drawdown_alert: z.number().gt(0).max(1).optional(),
    momentum_period: period.optional(),
    momentum_threshold: z.number().min(0).max(1).optional(),
    lookback: z.number().int().min(1).max(60).optional(),
  })
  .superRefine((p, ctx) => {
    const m = resolveSignalParams(p);
    if (m.ma_short >= m.ma_long) ctx.addIssue({ code: "custom", path: ["ma_short"], message: "ma_short must be less than ma_long" });
    if (m.macd_fast >= m.macd_slow) ctx.addIssue({ code: "custom", path: ["macd_fast"], message: "macd_fast must be less than macd_slow" });
    if (m.rsi_oversold >= m.rsi_overbought)
      ctx.addIssue({ code: "custom", path: ["rsi_oversold"], message: "rsi_oversold must be less than rsi_overbought" });
  });

/** Defaults overlaid with the given params; undefined fields (as zod's optional output has) keep the default. */
export function resolveSignalParams(params?: Partial<Record<keyof SignalParamValues, number | undefined>>): SignalParamValues {
  const out = { ...DEFAULT_SIGNAL_PARAMS };
  if (params) {
    for (const key of Object.keys(out) as (keyof SignalParamValues)[]) {
      const v = params[key];
      if (typeof v === "number") out[key] = v;
    }
  }
  return out;
}

/** A `signals_batch` payload, and the body of `POST /api/funds/signals/batch` (and `/batch_async`). */
export const SignalsPayload = z
  .object({
    fund_codes: z.array(FundCode).min(1).max(10_000).optional(),
    all: z.literal(true).optional(),
    params: SignalParams.optional(),
    /** Compute from the NAV points on or before this day only (a backfill of a past day). */
    as_of: Ymd.optional(),
  })
  .strict()
  .refine((p) => (p.fund_codes ? 1 : 0) + (p.all ? 1 : 0) === 1, "give either fund_codes or all: true");

/** `POST /api/funds/signals/batch` and `/batch_async`: `{"fund_codes": [...]}` or `{"all": true}`, optional `params`. */
export const SignalsBatchBody = SignalsPayload;

/** `GET /api/funds/signals/batch_async/{task_id}` paging. */
export const SignalsPageQuery = z
  .object({
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    page_size: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** One signal; direction "na" (value null, `reason` set) when it does not apply to the fund. */
export const SignalJson = z.object({
  name: z.string(),
  direction: z.enum(["buy", "sell", "neutral", "na"]),
  date: z.string(),
  value: z.number().nullable(),
  note: z.string().optional(),
  reason: z.enum(["money_fund", "constant", "insufficient_data"]).optional(),
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

const TaskId = z.object({ task_id: z.string() });

export const signalsBatch = endpoint({
  method: "POST",
  path: "/api/funds/signals/batch",
  role: "operator",
  audit: "signals.batch",
  tag: "funds",
  summary: "Signals for the given funds (or all) → 202 {task_id} at once; page through the results with batch_async/{task_id}",
  body: SignalsBatchBody,
  bodyLimit: 512 * 1024,
  response: TaskId,
});

export const signalsBatchAsync = endpoint({
  method: "POST",
  path: "/api/funds/signals/batch_async",
  role: "operator",
  audit: "signals.batch",
  tag: "funds",
  summary: "Same as POST /api/funds/signals/batch",
  body: SignalsBatchBody,
  bodyLimit: 512 * 1024,
  response: TaskId,
});

export const signalsPage = endpoint({
  method: "GET",
  path: "/api/funds/signals/batch_async/{task_id}",
  role: "viewer",
  tag: "funds",
  summary: "A page of a signals batch's results (by fund code); items fill in while the task runs",
  params: z.object({ task_id: IdParam }),
  query: SignalsPageQuery,
  response: SignalsPage,
});
