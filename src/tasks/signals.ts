/**
 * `signals_batch`: trading signals for many funds. The handler loads series a chunk at a time
 * and hands each chunk to the compute pool (ctx.compute("signals", …)), up to JOB_NUM chunks in
 * parallel, writing each chunk's result rows (one per fund, keyed by code) as soon as it is done,
 * so the sniffer page fills in while the task runs.
 */
import { z } from "zod";
import { defineTask } from "@/queue/registry";
import { SignalParams, SignalsPayload } from "@/contracts/signals";
import { computeSignals, type Signal } from "@/domain/signals";
import { computeInputs, forEachChunk, loadSeriesAsOf, moneyFundCodes, type ComputeSeries } from "./shared";

/** Funds per compute call: big enough to amortise the thread hop, small enough to show progress. */
const CHUNK = 100;

/** The compute function: signals for a chunk of series (runs in a pool thread). */
export function signalsChunk(input: { series: ComputeSeries[]; params?: z.infer<typeof SignalParams> }) {
  return input.series.map((s) => ({ code: s.code, signals: computeSignals(s, input.params) }));
}

export const signalsBatch = defineTask({
  name: "signals_batch",
  title: "信号计算",
  description: "Computes MA/MACD/RSI/Bollinger/drawdown/momentum signals for the given funds (or all) in the compute pool.",
  category: "signals",
  queue: "compute",
  mode: "fast",
  timeoutMs: 30 * 60_000,
  maxAttempts: 2,
  priority: 600,
  schema: SignalsPayload,
  asOfField: "as_of",
  async run(ctx) {
    const { payload } = ctx;
    const codes = payload.all
      ? (await ctx.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true }, orderBy: { code: "asc" } })).map((r) => r.code)
      : [...new Set(payload.fund_codes)];
    const asOf = payload.as_of;
    ctx.log.info(`computing signals for ${codes.length} funds${asOf ? ` as of ${asOf}` : ""}`, { params: payload.params ?? {} });
    const money = await moneyFundCodes(ctx.db);
    const counts = { buy: 0, sell: 0, missing: 0 };
    let done = 0;
    await forEachChunk(codes, CHUNK, ctx.signal, async (chunk) => {
      // As of a past day, a fund without points by then counts as missing (it had no data yet).
      const series = await loadSeriesAsOf(ctx.db, chunk, asOf);
      const missing = chunk.filter((c) => !series.has(c));
      const input = computeInputs(series.values(), money);
      const out = await ctx.compute<{ code: string; signals: Signal[] }[]>("signals", { series: input, params: payload.params });
      await ctx.addResults([
        ...out.map((r) => ({ key: r.code, data: { fund_code: r.code, ...(asOf ? { as_of: asOf } : {}), signals: r.signals } })),
        ...missing.map((code) => ({ key: code, data: { fund_code: code, ...(asOf ? { as_of: asOf } : {}), signals: [], missing: true } })),
      ]);
      for (const r of out) for (const s of r.signals) if (s.direction === "buy" || s.direction === "sell") counts[s.direction]++;
      counts.missing += missing.length;
      if (missing.length)
        ctx.log.warn(
          `no NAV data${asOf ? ` on or before ${asOf}` : ""} for ${missing.length} fund(s): ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? " …" : ""}`,
        );
      done += chunk.length;
      ctx.progress((done / codes.length) * 100, `${done} / ${codes.length}`);
    });
    ctx.log.info(`done: ${counts.buy} buy and ${counts.sell} sell signals${asOf ? ` as of ${asOf}` : ""}`);
    return { funds: codes.length, ...counts, ...(asOf ? { as_of: asOf } : {}) };
  },
});
