/**
 * `strategy_screen`: runs one screening strategy over all funds as one task, in stages —
 * loading data and computing (chunks in the compute pool), then filtering and ranking — and
 * writes the matches as result rows (keyed by fund code, ranked by score).
 */
import { z } from "zod";
import { defineTask } from "@/queue/registry";
import { evaluate, parseStrategyParams, selectMatches, STRATEGIES, STRATEGY_PARAM_SCHEMAS, type Evaluation } from "@/domain/strategies";
import { Ymd } from "@/contracts/funds";
import { computeInputs, forEachChunk, loadSeriesAsOf, moneyFundCodes, type ComputeSeries } from "./shared";
import { combinedHash, fingerprint, provenance, type SeriesFingerprint } from "./provenance";

const CHUNK = 200;

export const StrategyPayload = z
  .object({
    strategy: z.enum(STRATEGIES.map((s) => s.id) as [string, ...string[]]),
    params: z.record(z.string().max(40), z.number().finite()).optional(),
    /** Screen on the NAV points on or before this day only (a backfill of a past day). */
    as_of: Ymd.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    // A misspelt parameter would silently fall back to its default: refuse it instead; and each
    // value must be within the range its declaration (contracts/researchParams.ts) gives.
    const known = STRATEGIES.find((s) => s.id === p.strategy)?.params ?? {};
    for (const k of Object.keys(p.params ?? {})) {
      if (!(k in known))
        ctx.addIssue({ code: "custom", path: ["params", k], message: `unknown parameter; ${p.strategy} takes ${Object.keys(known).join(", ")}` });
    }
    const schema = STRATEGY_PARAM_SCHEMAS[p.strategy as keyof typeof STRATEGY_PARAM_SCHEMAS];
    const given = Object.fromEntries(Object.entries(p.params ?? {}).filter(([k]) => k in known));
    const checked = schema?.safeParse(given);
    if (checked && !checked.success)
      for (const issue of checked.error.issues) ctx.addIssue({ code: "custom", path: ["params", ...issue.path.map(String)], message: issue.message });
  });

/** The compute function: evaluate one strategy on a chunk of series. */
export function screenChunk(input: { strategy: string; params?: Record<string, number>; series: ComputeSeries[] }) {
  return input.series.map((s) => ({ code: s.code, ev: evaluate(input.strategy, s, input.params) }));
}

export const strategyScreen = defineTask({
  name: "strategy_screen",
  title: "策略筛选",
  description: "Screens all funds with one strategy; matches are the result rows, ranked by score.",
  category: "signals",
  queue: "compute",
  mode: "fast",
  timeoutMs: 30 * 60_000,
  maxAttempts: 2,
  priority: 600,
  schema: StrategyPayload,
  asOfField: "as_of",
  async run(ctx) {
    const { strategy, params, as_of: asOf } = ctx.payload;
    const funds = await ctx.db.instrument.findMany({ where: { kind: "fund" }, select: { code: true, name: true }, orderBy: { code: "asc" } });
    const names = new Map(funds.map((f) => [f.code, f.name]));
    const codes = funds.map((f) => f.code);
    ctx.log.info(`stage 1/3: loading data and computing ${strategy} for ${codes.length} funds${asOf ? ` as of ${asOf}` : ""}`, {
      params: params ?? {},
    });
    ctx.progress(0, "加载数据 / loading data");
    const money = await moneyFundCodes(ctx.db);
    const evaluated: { code: string; ev: Evaluation }[] = [];
    const prints: SeriesFingerprint[] = [];
    await forEachChunk(codes, CHUNK, ctx.signal, async (chunk) => {
      // As of a past day, funds without points by then are not evaluated (they had no data yet).
      const series = await loadSeriesAsOf(ctx.db, chunk, asOf);
      for (const one of series.values()) prints.push(fingerprint(one));
      const input = computeInputs(series.values(), money);
      evaluated.push(...(await ctx.compute<{ code: string; ev: Evaluation }[]>("screen", { strategy, params, series: input })));
      ctx.progress((evaluated.length / Math.max(1, codes.length)) * 90, `计算中 / computing ${evaluated.length} / ${codes.length}`);
    });
    ctx.log.info("stage 3/3: filtering and ranking");
    ctx.progress(92, "筛选 / filtering");
    const matches = selectMatches(strategy, evaluated, params);
    await ctx.addResults(
      matches.map((m, i) => ({
        key: m.code,
        data: {
          rank: i + 1,
          fund_code: m.code,
          fund_name: names.get(m.code) ?? m.code,
          score: m.score,
          ...m.detail,
          ...(asOf ? { as_of: asOf } : {}),
        },
      })),
    );
    ctx.log.info(`${matches.length} of ${evaluated.length} funds match${asOf ? ` as of ${asOf}` : ""}`);
    // What the screen saw: the summary in the result, every fund's fingerprint on the run.
    const data = { funds: prints.length, hash: combinedHash(prints) };
    const prov = provenance({ strategy, params: parseStrategyParams(strategy, params ?? {}), as_of: asOf ?? null, data });
    await ctx.runInfo({ provenance: { ...prov, data: { ...data, per_fund: prints } } });
    const top = matches.slice(0, 3).map((m) => ({ fund_code: m.code, fund_name: names.get(m.code) ?? null }));
    return { strategy, evaluated: evaluated.length, matched: matches.length, top, ...(asOf ? { as_of: asOf } : {}), provenance: prov };
  },
});
