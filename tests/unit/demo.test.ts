import { describe, expect, it } from "vitest";
import { REAL_INSTRUMENTS, readRealSeries } from "@/demo/market";
import { mulberry32 } from "@/demo/random";
import { generateUniverse } from "@/demo/universe";
import { adjustedNav } from "@/domain/adjusted";

describe("vendored real series", () => {
  it("reads the five indices and three stocks, codes as strings", () => {
    for (const inst of REAL_INSTRUMENTS) {
      const s = readRealSeries(inst.code);
      expect(s.code).toBe(inst.code);
      expect(s.dates.length).toBeGreaterThan(1400);
      expect(s.dates[s.dates.length - 1]).toBe(20240919);
      expect([...s.nav]).toEqual([...s.accNav]);
      expect(s.nav.every((v) => v > 0)).toBe(true);
    }
    expect(readRealSeries("000001.SH").nav.at(-1)).toBe(2736.02);
    expect(readRealSeries("000300.SH").nav.at(-1)).toBe(3196.04);
  });
});

describe("generateUniverse", () => {
  it("uses a seeded generator (mulberry32)", () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(8)()).not.toBe(xs[0]);
  });

  it("is deterministic in the seed, and fund i does not depend on the count", () => {
    const a = generateUniverse(30);
    const b = generateUniverse(30);
    const c = generateUniverse(10);
    const other = generateUniverse(30, 7);
    const first = (u: typeof a) => {
      const i = u.instruments.findIndex((x) => x.kind === "fund");
      return { ...u.instruments[i], last: u.series[i].nav.at(-1), lastAcc: u.series[i].accNav.at(-1), n: u.series[i].dates.length };
    };
    expect(first(a)).toEqual(first(b));
    expect(first(a)).toEqual(first(c));
    expect(first(other)).not.toEqual(first(a));
    expect(a.instruments).toEqual(b.instruments);
    for (let i = 0; i < a.series.length; i++) expect([...a.series[i].accNav]).toEqual([...b.series[i].accNav]);
    expect(a.instruments.slice(0, c.instruments.length)).toEqual(c.instruments);
  });

  it("generates 2,000 funds in well under 10 s", () => {
    const t0 = performance.now();
    const u = generateUniverse(2000);
    const ms = performance.now() - t0;
    console.log(`[demo] generated 2,000 funds in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(10_000);
    const funds = u.instruments.filter((x) => x.kind === "fund");
    expect(funds).toHaveLength(2000);
    expect(u.series).toHaveLength(u.instruments.length);
    // Unique 6-digit string codes (leading zeros kept) and unique names.
    expect(new Set(funds.map((f) => f.code)).size).toBe(2000);
    expect(new Set(u.instruments.map((f) => f.name)).size).toBe(u.instruments.length);
    for (const f of funds) {
      expect(typeof f.code).toBe("string");
      expect(f.code).toMatch(/^\d{6}$/);
    }
    expect(funds.some((f) => f.code.startsWith("0"))).toBe(true);
    // Every type is present, with names that say what the fund is.
    const byType = new Map<string, number>();
    for (const f of funds) byType.set(f.fundType!, (byType.get(f.fundType!) ?? 0) + 1);
    expect([...byType.keys()].sort()).toEqual(["bond", "hybrid", "index", "money", "stock"]);
    for (const f of funds) {
      if (f.fundType === "money") expect(f.name).toMatch(/货币[AB]$/);
      if (f.fundType === "bond") expect(f.name).toMatch(/债券[AC]$/);
      if (f.fundType === "index") expect(f.name).toMatch(/ETF|指数/);
    }
  });

  it("keeps the funds on the real trading calendar: the last five years of 沪深300 dates", () => {
    const u = generateUniverse(200);
    const hs300 = readRealSeries("000300.SH");
    const calendar = [...hs300.dates].filter((d) => d > 20190919);
    const funds = u.series.filter((_, i) => u.instruments[i].kind === "fund");
    const full = funds.filter((s) => s.dates.length === calendar.length);
    expect(full.length).toBeGreaterThan(150); // most existed before the window
    for (const s of full) expect([...s.dates]).toEqual(calendar);
    const tail = (s: (typeof funds)[number]) => calendar.slice(calendar.length - s.dates.length);
    for (const s of funds) {
      // A fund launched inside the window covers the calendar from its launch day on.
      expect([...s.dates]).toEqual(tail(s));
      expect(s.nav.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    }
  });

  it("money-market funds keep unit NAV at 1 while accumulated NAV grows about 1.5–2.6 % a year", () => {
    const u = generateUniverse(400);
    const money = u.series.filter((_, i) => u.instruments[i].fundType === "money");
    expect(money.length).toBeGreaterThan(10);
    for (const s of money) {
      expect(s.nav.every((v) => v === 1)).toBe(true);
      let falls = 0;
      for (let i = 1; i < s.accNav.length; i++) if (s.accNav[i] < s.accNav[i - 1]) falls++;
      expect(falls).toBe(0);
      const n = s.accNav.length;
      if (n < 500) continue;
      const yearly = (s.accNav[n - 1] / s.accNav[0]) ** (252 / (n - 1)) - 1;
      expect(yearly).toBeGreaterThan(0.008);
      expect(yearly).toBeLessThan(0.035);
    }
  });

  it("records every dividend and split as a corporate action that the unit and accumulated NAV agree with", () => {
    const u = generateUniverse(400);
    let dividends = 0;
    let splits = 0;
    const problems: string[] = []; // collected, not asserted point by point (hundreds of thousands of points)
    for (let k = 0; k < u.series.length; k++) {
      if (u.instruments[k].kind !== "fund" || u.instruments[k].fundType === "money") continue;
      const s = u.series[k];
      const byDate = new Map(s.actions.map((a) => [a.date, a]));
      for (let i = 0; i < s.nav.length; i++) {
        if (s.accNav[i] < s.nav[i]) problems.push(`${s.code}[${i}]: acc_nav ${s.accNav[i]} < nav ${s.nav[i]}`);
        if (i === 0) continue;
        const before = s.accNav[i - 1] - s.nav[i - 1];
        const after = s.accNav[i] - s.nav[i];
        const a = byDate.get(s.dates[i]);
        if (a && a.split !== 1) {
          splits++;
          // Each unit became `split` units: unit NAV about 1, accumulated NAV quoted per new unit.
          if (Math.abs(s.nav[i] - 1) > 0.2) problems.push(`${s.code}[${i}]: unit NAV ${s.nav[i]} after a split`);
          if (Math.abs(after - before / a.split) > 1e-3) problems.push(`${s.code}[${i}]: acc_nav − nav ${after} vs ${before / a.split}`);
        } else if (a) {
          dividends++;
          // A dividend day: unit NAV moves down relative to accumulated NAV by exactly the dividend.
          if (Math.abs(after - before - a.dividend) > 1e-9) problems.push(`${s.code}[${i}]: dividend ${a.dividend} vs gap ${after - before}`);
        } else if (Math.abs(after - before) > 1e-9)
          problems.push(`${s.code}[${i}]: acc_nav − nav moved from ${before} to ${after} without an action`);
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
    expect(dividends).toBeGreaterThan(20);
    expect(splits).toBeGreaterThan(0);
  });

  it("carries money funds' daily income over monthly: unit NAV stays 1, the adjusted NAV compounds the carry-overs", () => {
    const u = generateUniverse(400);
    const k = u.instruments.findIndex((i) => i.fundType === "money");
    const s = u.series[k];
    const months = new Set(Array.from(s.dates, (d) => Math.floor(d / 100)));
    expect(s.actions.length).toBe(months.size - 1); // one carry-over at the start of each month but the first
    expect(s.actions.every((a) => a.dividend > 0 && a.dividend < 0.01 && a.split === 1)).toBe(true);
    // Accumulated NAV adds the same income up without reinvesting it.
    const paid = s.actions.reduce((x, a) => x + a.dividend, 0);
    expect(s.accNav[s.accNav.length - 1] - s.accNav[0]).toBeGreaterThanOrEqual(paid - 1e-3);
    const adj = adjustedNav(s);
    let hand = 1;
    for (const a of s.actions) hand *= 1 + a.dividend; // unit NAV 1: each carry-over reinvested
    expect(adj[adj.length - 1]).toBeCloseTo(hand, 10);
  });

  it("gives each type its character: index funds track their index, bond funds barely move", () => {
    const u = generateUniverse(400);
    const hs300 = readRealSeries("000300.SH");
    const close = new Map<number, number>();
    hs300.dates.forEach((d, i) => close.set(d, hs300.nav[i]));
    const stats = (k: number) => {
      const s = u.series[k];
      let sx = 0,
        sy = 0,
        sxx = 0,
        sxy = 0,
        syy = 0,
        n = 0;
      for (let i = 1; i < s.dates.length; i++) {
        const x = close.get(s.dates[i])! / close.get(s.dates[i - 1])! - 1;
        // Total return of the day: unit NAV plus the dividend paid that day (acc_nav − nav grows by it).
        const dividend = s.accNav[i] - s.nav[i] - (s.accNav[i - 1] - s.nav[i - 1]);
        const y = (s.nav[i] + dividend) / s.nav[i - 1] - 1;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        syy += y * y;
        n++;
      }
      const cov = sxy / n - (sx / n) * (sy / n);
      const vx = sxx / n - (sx / n) ** 2;
      return { beta: cov / vx, vol: Math.sqrt((syy / n - (sy / n) ** 2) * 252) };
    };
    const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const of = (t: string) => u.instruments.map((x, k) => (x.fundType === t && u.series[k].dates.length > 500 ? k : -1)).filter((k) => k >= 0);
    const stock = of("stock").map(stats);
    const bond = of("bond").map(stats);
    const hybrid = of("hybrid").map(stats);
    expect(median(stock.map((s) => s.beta))).toBeGreaterThan(0.75);
    expect(median(stock.map((s) => s.beta))).toBeLessThan(1.3);
    expect(median(hybrid.map((s) => s.beta))).toBeGreaterThan(0.3);
    expect(median(hybrid.map((s) => s.beta))).toBeLessThan(0.8);
    expect(median(bond.map((s) => Math.abs(s.beta)))).toBeLessThan(0.08);
    expect(median(bond.map((s) => s.vol))).toBeLessThan(0.04);
    const hsIndexFunds = u.instruments
      .map((x, k) => (x.fundType === "index" && x.name.includes("沪深300ETF") && !x.name.includes("联接") && u.series[k].dates.length > 500 ? k : -1))
      .filter((k) => k >= 0);
    for (const k of hsIndexFunds) expect(Math.abs(stats(k).beta - 1)).toBeLessThan(0.05);
  });
});
