/**
 * The conventions the figures are computed under, recorded with every screen and backtest
 * (README, "Conventions"). `id` changes whenever any of them does, so two runs with different
 * ids are not expected to agree.
 */
export const FIGURE_CONVENTIONS = {
  id: "qtask-figures-1",
  prices: "adjusted NAV: dividends reinvested at the ex-date NAV, splits undone",
  fills: "a signal at day t's close fills at day t+1's NAV; long-only, all in or out",
  trading_days: 252,
  annualised_min_days: 63,
  sharpe: "mean daily excess return / its sample sd × √252; rf_d = (1 + risk_free)^(1/252) − 1",
  indicators: "EMA/MACD and Wilder RSI seeded by simple averages; Bollinger with population sd; MACD histogram = MACD − signal",
} as const;
