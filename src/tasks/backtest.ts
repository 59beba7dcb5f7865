/**
 * `backtest`: one fund, one strategy (compute mode). prepare loads the fund's series on the
 * main thread; compute runs the simulation in a pool thread; the result holds the metrics and
 * a display-sized equity curve, and one result row (keyed by the fund) holds the metrics alone.
 */
import { z } from "zod";
import { defineTask, TaskFailPermanently } from "@/queue/registry";
import { BacktestParams, BacktestPayload, DEFAULT_BENCHMARK } from "@/contracts/backtests";
import { fingerprint, provenance } from "./provenance";
import { adjustedNav } from "@/domain/adjusted";
import { runBacktest, type BacktestResult } from "@/domain/backtest";
import { loadSeries } from "@/domain/series";

type Payload = z.infer<typeof BacktestPayload>;
interface Input {
  payload: Payload;
  name: string;
  dates: Int32Array;
  /** Adjusted NAV (dividends reinvested). */
  values: Float64Array;
  benchmark: { code: string; dates: Int32Array; values: Float64Array } | null;
  /** What the run saw and how it computed (provenance.ts). */
  provenance: Record<string, unknown>;
}

export const backtest = defineTask({
  name: "backtest",
  title: "策略回测",
  description: "Simulates a strategy on one fund's NAV series: metrics and an equity curve.",
  category: "backtest",
  queue: "compute",
  mode: "compute",
  timeoutMs: 10 * 60_000,
  maxAttempts: 2,
  schema: BacktestPayload,
  async prepare(ctx): Promise<Input> {
    const { fund_code } = ctx.payload;
    const benchCode = ctx.payload.benchmark === undefined ? DEFAULT_BENCHMARK : ctx.payload.benchmark;
    const [series, inst] = await Promise.all([
      loadSeries(ctx.db, benchCode ? [fund_code, benchCode] : [fund_code]),
      ctx.db.instrument.findUnique({ where: { code: fund_code }, select: { name: true } }),
    ]);
    const s = series.get(fund_code);
    if (!s) throw new TaskFailPermanently(`no NAV data for fund ${fund_code}`);
    const b = benchCode ? series.get(benchCode) : undefined;
    if (benchCode && !b) ctx.log.warn(`no data for the benchmark ${benchCode}: figures against it are left out`);
    ctx.log.info(`backtesting ${ctx.payload.strategy} on ${fund_code} ${inst?.name ?? ""} (${s.dates.length} days, adjusted NAV)`);
    const prov = provenance({
      params: BacktestParams.parse(ctx.payload.params ?? {}),
      strategy: ctx.payload.strategy,
      window: { start: ctx.payload.start ?? null, end: ctx.payload.end ?? null },
      data: { fund: fingerprint(s), benchmark: b ? fingerprint(b) : null },
    });
    await ctx.runInfo({ provenance: prov });
    return {
      provenance: prov,
      payload: ctx.payload,
      name: inst?.name ?? fund_code,
      dates: s.dates,
      values: adjustedNav(s),
      benchmark: b && benchCode ? { code: benchCode, dates: b.dates, values: adjustedNav(b) } : null,
    };
  },
  compute(input: Input): BacktestResult & { fund_code: string; fund_name: string; strategy: string; provenance: Record<string, unknown> } {
    const { payload } = input;
    const r = runBacktest({ dates: input.dates, values: input.values }, payload.strategy, {
      start: payload.start,
      end: payload.end,
      params: payload.params,
      benchmark: input.benchmark ?? undefined,
    });
    return { fund_code: payload.fund_code, fund_name: input.name, strategy: payload.strategy, provenance: input.provenance, ...r };
  },
  async finish(ctx, out) {
    const m = out.metrics;
    ctx.log.info(
      `total return ${(m.total_return * 100).toFixed(2)}%, max drawdown ${(m.max_drawdown * 100).toFixed(2)}%, ${m.trades} trades` +
        (m.benchmark_return !== null ? `, benchmark ${m.benchmark} ${(m.benchmark_return * 100).toFixed(2)}%` : ""),
    );
    // The figures again as one small result row: a sweep's page and the history read 10,000
    // of these (about 1 KB each) instead of 10,000 results with their equity curves.
    // The row also carries a 30-point equity line for the result table's sparkline (about
    // 250 bytes; the 500-point curve stays in the result).
    await ctx.addResults([
      { key: out.fund_code, data: { fund_code: out.fund_code, fund_name: out.fund_name, ...m, equity_spark: spark(out.equity) } },
    ]);
    return {
      fund_code: out.fund_code,
      fund_name: out.fund_name,
      strategy: out.strategy,
      metrics: m,
      equity: out.equity,
      trades: out.trades,
      provenance: out.provenance,
    };
  },
});

/** SPARK_POINTS values of the strategy's equity, sampled evenly (first and last kept), 4 decimals. */
function spark(equity: readonly { value: number }[]): number[] {
  const n = equity.length;
  if (n <= SPARK_POINTS) return equity.map((p) => Math.round(p.value * 1e4) / 1e4);
  return Array.from({ length: SPARK_POINTS }, (_, k) => Math.round(equity[Math.round((k * (n - 1)) / (SPARK_POINTS - 1))].value * 1e4) / 1e4);
}
const SPARK_POINTS = 30;
