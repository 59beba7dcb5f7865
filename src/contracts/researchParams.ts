/**
 * The parameters of every screen and backtest strategy, declared once: type, range, step,
 * default and a one-line description in Chinese and English. The server's zod schemas
 * (screen payloads, BacktestParams) are built from these declarations, the API lists them
 * (`GET /api/strategies`), and the pages render their forms from them and validate in the
 * browser with the very same schemas, so what 执行 and 创建回测 send is what the server accepts.
 */
import { z } from "zod";

/** One numeric parameter. */
export interface ParamSpec {
  key: string;
  kind: "integer" | "number";
  min: number;
  max: number;
  step: number;
  default: number;
  /** One line, shown beside the field. */
  zh: string;
  en: string;
}

/** "a must be less than b", checked with the defaults filled in. */
export interface ParamOrder {
  less: string;
  than: string;
}

/** A strategy's parameters and the order constraints between them. */
export interface ParamGroup {
  specs: ParamSpec[];
  order: ParamOrder[];
}

const int = (key: string, min: number, max: number, def: number, zh: string, en: string): ParamSpec => ({
  key,
  kind: "integer",
  min,
  max,
  step: 1,
  default: def,
  zh,
  en,
});
const num = (key: string, min: number, max: number, step: number, def: number, zh: string, en: string): ParamSpec => ({
  key,
  kind: "number",
  min,
  max,
  step,
  default: def,
  zh,
  en,
});

const maShort = int("ma_short", 2, 250, 5, "短期均线的天数", "Days of the short moving average");
const maLong = int("ma_long", 2, 250, 20, "长期均线的天数", "Days of the long moving average");
const lookback = int("lookback", 1, 60, 5, "在最近多少天内发生交叉", "A cross counts within this many last days");
const rsiPeriod = int("rsi_period", 2, 250, 14, "RSI 的天数（Wilder 平滑）", "RSI period in days (Wilder smoothing)");
const momentumPeriod = int("momentum_period", 2, 250, 20, "动量（区间收益）的天数", "Days the momentum (return) is measured over");
const MA_ORDER: ParamOrder = { less: "ma_short", than: "ma_long" };
const RSI_ORDER: ParamOrder = { less: "rsi_oversold", than: "rsi_overbought" };

/** The screening strategies' parameters. */
export const SCREEN_PARAMS = {
  ma_golden_cross: { specs: [maShort, maLong, lookback], order: [MA_ORDER] },
  rsi_oversold_rebound: {
    specs: [rsiPeriod, num("rsi_oversold", 1, 50, 1, 30, "超卖线：RSI 自下而上穿过它", "Oversold level RSI must cross up through"), lookback],
    order: [],
  },
  momentum_top_n: {
    specs: [momentumPeriod, int("top_n", 1, 10_000, 50, "取收益最高的前多少只", "How many of the best funds to keep")],
    order: [],
  },
  low_drawdown: {
    specs: [
      int("window", 20, 1250, 250, "回看的交易日数", "Trading days looked back over"),
      num("max_drawdown", 0.001, 1, 0.01, 0.05, "最大回撤上限（0.05 = 5%）", "Largest drawdown allowed (0.05 = 5 %)"),
    ],
    order: [],
  },
} satisfies Record<string, ParamGroup>;

/** The backtest strategies' own parameters (costs are BACKTEST_COST_PARAMS, for every strategy). */
export const BACKTEST_STRATEGY_PARAMS = {
  ma_cross: { specs: [maShort, maLong], order: [MA_ORDER] },
  rsi: {
    specs: [
      rsiPeriod,
      num("rsi_oversold", 0, 50, 1, 30, "RSI 不高于它时买入", "Buy when RSI is at or below it"),
      num("rsi_overbought", 50, 100, 1, 70, "RSI 不低于它时卖出", "Sell when RSI is at or above it"),
    ],
    order: [RSI_ORDER],
  },
  momentum: {
    specs: [momentumPeriod, num("momentum_threshold", 0, 1, 0.01, 0.05, "收益达到 +阈值买入、-阈值卖出", "Buy at +threshold, sell at −threshold")],
    order: [],
  },
  buy_hold: { specs: [], order: [] },
} satisfies Record<string, ParamGroup>;

/** Costs and capital, for every backtest strategy (fractions: 0.0015 = 0.15 %). */
export const BACKTEST_COST_PARAMS: ParamSpec[] = [
  num("fee_buy", 0, 0.05, 0.0005, 0.0015, "申购费率（按成交金额）", "Subscription fee, of the traded value"),
  num("fee_sell", 0, 0.05, 0.0005, 0.005, "赎回费率（按成交金额）", "Redemption fee, of the traded value"),
  num("risk_free", 0, 0.2, 0.0025, 0, "年化无风险利率（夏普、索提诺、阿尔法）", "Annual risk-free rate (Sharpe, Sortino, alpha)"),
  num("initial", 0.000001, 1e12, 1, 1, "初始资金", "Initial capital"),
];

/** The defaults of a set of specs. */
export function paramDefaults(specs: readonly ParamSpec[]): Record<string, number> {
  return Object.fromEntries(specs.map((s) => [s.key, s.default]));
}

/** One spec as a zod number: integer or not, within [min, max], with a message naming both. */
export function specNumber(s: ParamSpec): z.ZodNumber {
  const base = z.number({ error: `${s.key} must be a number` });
  const ranged = base.min(s.min, `${s.key} must be at least ${s.min}`).max(s.max, `${s.key} must be at most ${s.max}`);
  return s.kind === "integer" ? ranged.int(`${s.key} must be a whole number`) : ranged;
}

/** Adds an issue for every order constraint the params (defaults filled in) break. */
export function checkOrder(
  values: Record<string, number | undefined>,
  specs: readonly ParamSpec[],
  order: readonly ParamOrder[],
  ctx: z.RefinementCtx,
): void {
  const full = { ...paramDefaults(specs), ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) } as Record<
    string,
    number
  >;
  for (const o of order)
    if (o.less in full && o.than in full && !(full[o.less] < full[o.than]))
      ctx.addIssue({ code: "custom", path: [o.less], message: `${o.less} must be less than ${o.than}` });
}

/** A request's params for a group: every field optional and bounded, unknown fields refused, order checked with defaults. */
export function optionalParamsSchema(group: ParamGroup) {
  const shape = Object.fromEntries(group.specs.map((s) => [s.key, specNumber(s).optional()]));
  return z.strictObject(shape).superRefine((v, ctx) => checkOrder(v as Record<string, number | undefined>, group.specs, group.order, ctx));
}
