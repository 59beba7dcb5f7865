/**
 * Every indicator checked against a second well-kept library (trading-signals) on the real
 * index and stock closes vendored in data/hqchart/, from its first defined value.
 */
import { describe, expect, it } from "vitest";
import { bb, sma } from "indicatorts";
import { BollingerBands, EMA, RSI, SMA } from "trading-signals";
import { readRealSeries, REAL_INSTRUMENTS } from "@/demo/market";
import { emaSeeded, macdFirstIndex, macdSeeded, rsiWilder } from "@/domain/indicators";
import { computeSignals } from "@/domain/signals";

const TOL = 1e-9;
const series = REAL_INSTRUMENTS.map((i) => ({ code: i.code, values: Array.from(readRealSeries(i.code).nav) }));

/** The library's outputs per index (null until it has enough data). */
function stream<T>(ind: { add(x: number): T | null }, values: number[]): (T | null)[] {
  return values.map((x) => ind.add(x));
}

/** |a − b| within TOL relative to the price level. */
function close(a: number, b: number, scale: number): boolean {
  return Math.abs(a - b) <= TOL * Math.max(1, Math.abs(scale));
}

describe.each(series)("$code", ({ values }) => {
  it("has a few years of closes", () => {
    expect(values.length).toBeGreaterThan(500);
  });

  it("SMA(20) agrees from its first value", () => {
    const ours = sma(values, { period: 20 });
    const theirs = stream(new SMA(20), values);
    for (let i = 19; i < values.length; i++) expect(close(ours[i], Number(theirs[i]), values[i]), `day ${i}`).toBe(true);
  });

  it("Bollinger(20, 2) with population deviations agrees from its first value (index 19)", () => {
    const ours = bb(values, { period: 20 });
    const theirs = stream(new BollingerBands(20, 2), values);
    // The library reports from the 21st value (its window is the last 20 all the same); the first
    // band, at index 19, is checked against the population formula directly.
    const w = values.slice(0, 20);
    const mean = w.reduce((a, x) => a + x, 0) / 20;
    const sd = Math.sqrt(w.reduce((a, x) => a + (x - mean) ** 2, 0) / 20);
    expect(close(ours.upper[19], mean + 2 * sd, values[19])).toBe(true);
    for (let i = 20; i < values.length; i++) {
      const t = theirs[i];
      expect(t, `day ${i}`).not.toBeNull();
      expect(close(ours.upper[i], Number(t?.upper), values[i]) && close(ours.lower[i], Number(t?.lower), values[i]), `day ${i}`).toBe(true);
    }
  });

  it("Wilder's RSI(14) agrees from its first value (index 14), seeded by the first 14 changes' averages", () => {
    const ours = rsiWilder(values, 14);
    const theirs = stream(new RSI(14), values);
    expect(Number.isNaN(ours[13])).toBe(true);
    for (let i = 14; i < values.length; i++) expect(Math.abs(ours[i] - Number(theirs[i])), `day ${i}`).toBeLessThanOrEqual(1e-9);
  });

  it("EMA(12) starts at SMA(12) and follows the same recursion as the library's EMA from that seed", () => {
    const ours = emaSeeded(values, 12);
    const sma12 = stream(new SMA(12), values);
    expect(Number.isNaN(ours[10])).toBe(true);
    expect(close(ours[11], Number(sma12[11]), values[11])).toBe(true);
    // trading-signals seeds its EMA with the first value it is given: given our seed and then the
    // later values, it must give exactly our EMA once it calls itself stable (12 inputs).
    const theirs = stream(new EMA(12), [ours[11], ...values.slice(12)]);
    for (let k = 11; k < theirs.length; k++) expect(close(ours[11 + k], Number(theirs[k]), values[11 + k]), `day ${11 + k}`).toBe(true);
  });

  it("MACD(12, 26, 9): line = EMA12 − EMA26 from index 25, signal = seeded EMA9 of the line from index 33, histogram not doubled", () => {
    const m = macdSeeded(values, 12, 26, 9);
    const e12 = emaSeeded(values, 12);
    const e26 = emaSeeded(values, 26);
    expect(Number.isNaN(m.line[24])).toBe(true);
    const first = macdFirstIndex(26, 9);
    expect(first).toBe(33);
    expect(Number.isNaN(m.signal[first - 1])).toBe(true);
    let seed = 0;
    for (let i = 25; i <= first; i++) seed += m.line[i] / 9;
    expect(close(m.signal[first], seed, values[first])).toBe(true);
    const theirs = stream(new EMA(9), [seed, ...Array.from(m.line.slice(first + 1))]);
    for (let i = 25; i < values.length; i++) expect(close(m.line[i], e12[i] - e26[i], values[i])).toBe(true);
    for (let k = 8; k < theirs.length; k++) expect(close(m.signal[first + k], Number(theirs[k]), values[first + k]), `day ${first + k}`).toBe(true);
    for (let i = first; i < values.length; i++) expect(m.histogram[i]).toBe(m.line[i] - m.signal[i]);
  });

  it("a young series' signals use the defined values from the first day they exist", () => {
    // 35 points: the MACD signal line's first value is at index 33; RSI's at 14.
    const young = values.slice(0, 35);
    const out = computeSignals({ dates: Array.from({ length: 35 }, (_, i) => 20200101 + i), values: young });
    const rsi = out.find((s) => s.name === "rsi");
    expect(rsi?.value).toBeCloseTo(Number(stream(new RSI(14), young)[34]), 5);
    const macd = out.find((s) => s.name === "macd_cross");
    const m = macdSeeded(young, 12, 26, 9);
    expect(macd?.value).toBeCloseTo(m.histogram[34], 6);
  });
});
