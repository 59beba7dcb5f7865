/** How the sweep pages show a metric's value: fractions as percentages, ratios with two decimals. */
import { pctText, ratioText } from "./BacktestDetail";

/** Metrics shown as percentages (fractions in the API); the rest are ratios. */
const PERCENT = new Set<string>(["total_return", "annualized_return", "excess_return", "win_rate", "max_drawdown", "volatility"]);
/** A metric's value as the page shows it. */
export const metricText = (metric: string, v: number | null | undefined) => (PERCENT.has(metric) ? pctText(v) : ratioText(v));
