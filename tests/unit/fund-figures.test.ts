/**
 * Fund figures by hand: a fund that paid a dividend and one that split, whose adjusted series,
 * returns, drawdown and backtest metrics are computed here by a few independent lines (never
 * by the code under test); dividends inferred from rounded unit and accumulated NAV; imports
 * with corporate actions; money funds in screens.
 */
import { describe, expect, it } from "vitest";
import { adjustedNav, DIVIDEND_TOLERANCE, inferDividends } from "@/domain/adjusted";
import { runBacktest } from "@/domain/backtest";
import { mergePoints, parseNavCsv, parseNavJson } from "@/domain/navImport";
import { summarize, type NavSeries } from "@/domain/series";
import { evaluate } from "@/domain/strategies";

const days = (n: number) => Array.from({ length: n }, (_, i) => 20240101 + i);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

describe("a fund that paid a dividend", () => {
  // Unit NAV 1.00, 1.05, then a 0.15 dividend goes ex on day 2 (0.95 after it), 1.00, 0.90, 1.10.
  const nav = [1.0, 1.05, 0.95, 1.0, 0.9, 1.1];
  const acc = [1.0, 1.05, 1.1, 1.15, 1.05, 1.25];
  const s: NavSeries = {
    code: "D1",
    dates: Int32Array.from(days(6)),
    nav: Float64Array.from(nav),
    accNav: Float64Array.from(acc),
    actions: [{ date: 20240103, dividend: 0.15, split: 1 }],
  };
  // By hand: on the ex-date a unit worth 1.05 became 0.95 + 0.15 cash, reinvested.
  const hand = [1.0, 1.05, 1.05 * (1.1 / 1.05), 1.1 * (1.0 / 0.95), 1.1 * (1.0 / 0.95) * 0.9, 1.1 * (1.0 / 0.95) * 0.9 * (1.1 / 0.9)];

  it("has the adjusted NAV an investor who reinvested would see", () => {
    const adj = adjustedNav(s);
    hand.forEach((v, i) => expect(adj[i], `day ${i}`).toBeCloseTo(v, 12));
    expect(hand[5]).toBeCloseTo(1.273684, 6);
  });

  it("returns 27.37 % over the period where accumulated NAV would say 25 %", () => {
    const adj = adjustedNav(s);
    expect(adj[5] / adj[0] - 1).toBeCloseTo(0.273684, 6);
    expect(adj[5] / adj[0] - 1).toBeCloseTo((1.1 / 1.05) * (1.05 / 1.0) * (1.0 / 0.95) * 0.9 * (1.1 / 0.9) - 1, 12);
    expect(acc[5] / acc[0] - 1).toBeCloseTo(0.25, 12);
  });

  it("is the basis of the stored summary and of a backtest", () => {
    expect(summarize(s).latestAdjNav).toBeCloseTo(hand[5], 12);
    const r = runBacktest({ dates: s.dates, values: adjustedNav(s) }, "buy_hold", { params: { fee_buy: 0, fee_sell: 0 } });
    // bought at day 1's adjusted 1.05, marked at day 5's
    expect(r.metrics.total_return).toBeCloseTo(hand[5] / hand[1] - 1, 6);
    // peak day 3, trough day 4: 1 - 0.9
    expect(r.metrics.max_drawdown).toBeCloseTo(1 - hand[4] / hand[3], 6);
    expect(r.metrics.max_drawdown_peak).toBe("2024-01-04");
    expect(r.metrics.max_drawdown_recovery).toBe("2024-01-06");
  });

  it("gives the issue's example: bought after a dividend, unit NAV 1.005 → 1.5 is +49.2 %, not +24.7 %", () => {
    // 1.0 a unit paid out long ago: accumulated NAV = unit + 1.0 throughout the window.
    const n = 253;
    const unit = Array.from({ length: n }, (_, i) => 1.005 + (0.495 * i) / (n - 1));
    const f: NavSeries = {
      code: "D2",
      dates: Int32Array.from(days(n)),
      nav: Float64Array.from(unit),
      accNav: Float64Array.from(unit, (u) => u + 1),
      actions: [],
    };
    expect(summarize(f).return1y).toBeCloseTo(1.5 / 1.005 - 1, 12);
    expect(summarize(f).return1y).toBeCloseTo(0.4925, 4);
    expect(2.5 / 2.005 - 1).toBeCloseTo(0.2469, 4); // what a ratio of accumulated NAV says
  });
});

describe("a fund that split", () => {
  // 2.0, 2.2, then each unit becomes 2 (ex-date day 2): 1.1, 1.2, 1.0
  const s: NavSeries = {
    code: "S1",
    dates: Int32Array.from(days(5)),
    nav: Float64Array.from([2.0, 2.2, 1.1, 1.2, 1.0]),
    accNav: Float64Array.from([2.0, 2.2, 1.1, 1.2, 1.0]),
    actions: [{ date: 20240103, dividend: 0, split: 2 }],
  };

  it("is not a 50 % loss: the adjusted NAV undoes the split", () => {
    const adj = adjustedNav(s);
    [2.0, 2.2, 2.2, 2.4, 2.0].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 12));
  });

  it("draws down from the adjusted peak and backtests on it", () => {
    const r = runBacktest({ dates: s.dates, values: adjustedNav(s) }, "buy_hold", { params: { fee_buy: 0, fee_sell: 0 } });
    expect(r.metrics.max_drawdown).toBeCloseTo(1 - 2.0 / 2.4, 6);
    expect(r.metrics.total_return).toBeCloseTo(2.0 / 2.2 - 1, 6);
    expect(r.metrics.max_drawdown_recovery).toBeNull();
    expect(r.metrics.max_drawdown_days).toBe(1); // peak day 3 to the last day 4, not recovered
  });

  it("applies a dividend and a split on one day per old unit: (nav × split + dividend) / previous", () => {
    const both: NavSeries = { ...s, actions: [{ date: 20240103, dividend: 0.1, split: 2 }] };
    expect(adjustedNav(both)[2]).toBeCloseTo(2.2 * ((1.1 * 2 + 0.1) / 2.2), 12);
  });

  it("applies an action dated in a gap of the series to the next point", () => {
    const gap: NavSeries = {
      ...s,
      dates: Int32Array.from([20240101, 20240102, 20240105, 20240106, 20240107]),
      actions: [{ date: 20240103, dividend: 0, split: 2 }],
    };
    expect(adjustedNav(gap)[2]).toBeCloseTo(2.2, 12);
  });
});

describe("dividends inferred from unit and accumulated NAV", () => {
  it("finds a dividend through the four-decimal rounding and nothing in the rounding noise", () => {
    // Raw unit NAV moves; a 0.0123 dividend on day 3. Both series published rounded to 4 decimals.
    const raw = [1.23456, 1.24449, 1.25551, 1.26651 - 0.0123, 1.25549, 1.26451];
    const paid = [0.5, 0.5, 0.5, 0.5123, 0.5123, 0.5123];
    const nav = raw.map(round4);
    const acc = raw.map((u, i) => round4(u + paid[i]));
    expect(inferDividends(days(6), nav, acc)).toEqual([{ date: 20240104, dividend: 0.0123, split: 1 }]);
  });

  it("has a tolerance of 0.0002: four values each off by up to half a unit of the fourth decimal", () => {
    expect(DIVIDEND_TOLERANCE).toBe(0.0002);
    const nav = [1, 1, 1];
    expect(inferDividends(days(3), nav, [1, 1.0002, 1.0002])).toEqual([]);
    expect(inferDividends(days(3), nav, [1, 1.0003, 1.0003])).toEqual([{ date: 20240102, dividend: 0.0003, split: 1 }]);
  });

  it("does not take a fall of accumulated NAV against unit NAV (as around a split) for anything", () => {
    expect(inferDividends(days(3), [2, 1, 1], [2.5, 1.25, 1.25])).toEqual([]);
  });
});

describe("imports with corporate actions", () => {
  it("reads dividend and split columns, empty when none", () => {
    const { byCode, hasActions } = parseNavCsv(
      "code,date,nav,acc_nav,dividend,split\n000001,2024-01-02,1.2,1.5,,\n000001,2024-01-03,1.1,1.5,0.1,\n000001,2024-01-04,0.55,1.5,,2\n",
    );
    expect(hasActions).toBe(true);
    const merged = mergePoints("000001", undefined, byCode.get("000001") ?? [], hasActions);
    expect(merged.actions).toEqual([
      { date: 20240103, dividend: 0.1, split: 1 },
      { date: 20240104, dividend: 0, split: 2 },
    ]);
  });

  it("refuses a negative dividend or a zero split with the line and the reason", () => {
    expect(() => parseNavCsv("code,date,nav,dividend\n000001,2024-01-02,1.2,-0.1\n")).toThrow(/line 2: dividend must be a number ≥ 0/);
    expect(() => parseNavCsv("code,date,nav,split\n000001,2024-01-02,1.2,\n000001,2024-01-03,1.2,0\n")).toThrow(/line 3: split must be a number > 0/);
    expect(() => parseNavCsv("code,date,nav\n000001,2024-01-02,NaN\n")).toThrow(/line 2/);
    expect(() => parseNavJson({ points: [{ date: "2024-01-02", nav: 1, dividend: -1 }] }, "X")).toThrow(/dividend/);
  });

  it("infers the dividends of a source without action columns, against the stored day before", () => {
    const stored = mergePoints("X", undefined, [{ date: 20240102, nav: 1.2, accNav: 1.5 }], false);
    const { byCode, hasActions } = parseNavCsv("code,date,nav,acc_nav\nX,2024-01-03,1.1,1.5\n");
    expect(hasActions).toBe(false);
    const merged = mergePoints("X", stored, byCode.get("X") ?? [], hasActions);
    expect(merged.actions).toEqual([{ date: 20240103, dividend: 0.1, split: 1 }]);
    expect(adjustedNav(merged)[1]).toBeCloseTo(1.2, 12); // 1.1 + 0.1 reinvested: no loss
  });

  it("keeps the stored actions of days the import does not touch, and replaces those it does", () => {
    const base = mergePoints(
      "X",
      undefined,
      [
        { date: 20240102, nav: 1.2, accNav: 1.2 },
        { date: 20240103, nav: 1.1, accNav: 1.1, dividend: 0.1 },
        { date: 20240104, nav: 1.1, accNav: 1.1 },
      ],
      true,
    );
    const j = parseNavJson({ points: [{ date: "2024-01-04", nav: 0.55, split: 2 }] }, "X");
    expect(j.hasActions).toBe(true);
    expect(mergePoints("X", base, j.points, j.hasActions).actions).toEqual([
      { date: 20240103, dividend: 0.1, split: 1 },
      { date: 20240104, dividend: 0, split: 2 },
    ]);
    const none = parseNavJson({ points: [{ date: "2024-01-03", nav: 1.2, acc_nav: 1.2 }] }, "X");
    expect(mergePoints("X", base, none.points, none.hasActions).actions).toEqual([]); // the day re-sent without a dividend
  });
});

describe("money market funds in screens", () => {
  const rising = { dates: days(300), values: Array.from({ length: 300 }, (_, i) => 1 + i * 0.0001) };

  it("never match a trend screen, and are screened like any fund for low drawdown", () => {
    expect(evaluate("momentum_top_n", rising).match).toBe(true);
    expect(evaluate("momentum_top_n", { ...rising, moneyFund: true }).match).toBe(false);
    expect(evaluate("low_drawdown", { ...rising, moneyFund: true }).match).toBe(true);
  });
});
