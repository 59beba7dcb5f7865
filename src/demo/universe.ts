/**
 * The demo universe: five real indices and three real stocks (daily closes vendored from
 * HQChart under data/hqchart/, see its NOTICE) plus any number of synthetic mutual funds whose
 * NAVs are simulated over the real trading calendar (the last five years of 沪深300 dates).
 *
 * Every fund is deterministic given (seed, its position): a seeded PRNG (mulberry32), never
 * Math.random. Daily fund return = drift + beta × the real index return (+ a growth tilt on
 * the 创业板指 − 沪深300 spread for active equity funds, + a shared bond-market factor for bond
 * funds) + idiosyncratic noise with volatility clustering (GARCH(1,1) on Student-t shocks,
 * ν = 5). Per type:
 *   stock   beta 0.8–1.2, growth tilt, idiosyncratic vol 0.6–1.1 %/day
 *   hybrid  beta 0.4–0.7, smaller tilt, 0.35–0.7 %/day, some bond carry
 *   index   ETF / ETF联接 / 指数增强 on one of the five real indices: beta ≈ 1, tiny noise
 *   bond    beta ≈ 0.02, duration on a shared rate factor, 2.5–4.5 %/yr carry, low vol
 *   money   unit NAV fixed at 1.0000; the income (~1.5–2.6 %/yr per calendar day) accrues
 *           daily in accumulated NAV and is carried over monthly (a dividend the adjusted NAV
 *           reinvests)
 * Some funds pay cash dividends: unit NAV drops by the dividend, accumulated NAV does not; a
 * few split back to about 1 once their unit NAV passes 3. Each is a corporate action of the
 * series, so the adjusted NAV (the basis of every return) reinvests and undoes them.
 * About one fund in seven launches inside the window (NAV 1.0000, beta ramping up while it
 * builds its positions), so series lengths differ.
 */
import type { NavSeries } from "@/domain/series";
import { buildMarket, readRealSeries, REAL_INSTRUMENTS, type DemoInstrument } from "./market";
import { fundCode, fundName } from "./names";
import { mix, Rng } from "./random";
import { simulate, specFor } from "./simulate";

/** The demo universe as generated. */
export interface DemoUniverse {
  /** The real series first (indices, then stocks), then the `count` funds. */
  instruments: DemoInstrument[];
  /** Same order as `instruments`. */
  series: NavSeries[];
}

/**
 * The demo universe: the vendored real series plus `count` synthetic funds, deterministic
 * in `seed` (fund i is the same whatever `count` is).
 */
export function generateUniverse(count: number, seed = 42): DemoUniverse {
  const instruments: DemoInstrument[] = [];
  const series: NavSeries[] = [];
  const real = new Map<string, NavSeries>();
  for (const inst of REAL_INSTRUMENTS) {
    const s = readRealSeries(inst.code);
    real.set(inst.code, s);
    instruments.push({ ...inst });
    series.push(s);
  }
  const market = buildMarket(real, seed);
  const n = market.dates.length;
  const codes = new Set<string>(REAL_INSTRUMENTS.map((i) => i.code));
  const names = new Set<string>(REAL_INSTRUMENTS.map((i) => i.name));
  const types = [
    ["stock", 30],
    ["hybrid", 30],
    ["bond", 20],
    ["index", 12],
    ["money", 8],
  ] as const;
  for (let i = 0; i < Math.max(0, Math.floor(count)); i++) {
    const rng = new Rng(mix(seed, i + 1));
    const type = rng.weighted(types);
    const spec = specFor(rng, type);
    let code = "";
    for (let k = 0; k < 1000 && (code === "" || codes.has(code)); k++) code = fundCode(rng, spec.style === "etf" ? "etf" : type);
    if (codes.has(code)) throw new Error(`could not find a free fund code for fund ${i}`);
    codes.add(code);
    let name = "";
    for (let k = 0; k < 30 && (name === "" || names.has(name)); k++) name = fundName(rng, type, { index: spec.bench, style: spec.style });
    for (let k = 2; names.has(name); k++) name = name.replace(/(\d+号)?([A-C]?)$/, `${k}号$2`);
    names.add(name);
    const launched = rng.chance(1 / 7);
    const start = launched ? 20 + rng.int(Math.max(1, n - 120)) : 0;
    instruments.push({ code, name, kind: "fund", fundType: type });
    series.push(simulate(rng, code, spec, market, Math.min(start, Math.max(0, n - 1)), launched));
  }
  return { instruments, series };
}
