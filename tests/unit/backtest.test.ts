import { describe, expect, it } from "vitest";
import { BacktestParams } from "@/contracts/backtests";
import { runBacktest, EQUITY_POINTS } from "@/domain/backtest";

function series(values: number[]) {
  return { dates: Array.from({ length: values.length }, (_, i) => 20240101 + i), values };
}
const NO_FEES = { fee_buy: 0, fee_sell: 0 };

describe("buy_hold on [1, 1.1, 0.99, 1.2] without fees", () => {
  // Day 0 starts in cash; the "in" wish from day 0's close fills at day 1's value 1.1.
  // equity: 1, 1, 0.99/1.1 = 0.9, 1.2/1.1 = 1.090909
  const r = runBacktest(series([1, 1.1, 0.99, 1.2]), "buy_hold", { params: NO_FEES });

  it("fills at the next day's value and marks equity at each day's value", () => {
    expect(r.trades).toEqual([{ date: "2024-01-02", side: "buy", price: 1.1 }]);
    expect(r.equity.map(({ date, value }) => ({ date, value }))).toEqual([
      { date: "2024-01-01", value: 1 },
      { date: "2024-01-02", value: 1 },
      { date: "2024-01-03", value: 0.9 },
      { date: "2024-01-04", value: 1.090909 },
    ]);
    // buy and hold from day 0's value, and the strategy's drawdown under its running peak
    expect(r.equity.map((e) => e.buy_hold)).toEqual([1, 1.1, 0.99, 1.2]);
    expect(r.equity.map((e) => e.drawdown)).toEqual([0, 0, -0.1, 0]);
    expect(r.equity.every((e) => e.benchmark === null)).toBe(true);
  });

  it("computes the metrics by the stated conventions, annualised ones left out over 3 days", () => {
    const m = r.metrics;
    // total = 1.2/1.1 - 1 = 0.090909; 3 daily steps
    expect(m.total_return).toBe(0.090909);
    expect(m.days).toBe(3);
    // fewer than 63 days: (12/11)^84 - 1 = 1,467 % a year would be noise, so nothing annualised is shown
    for (const k of ["annualized_return", "volatility", "sharpe", "sortino", "calmar"] as const) expect(m[k], k).toBeNull();
    // peak 1 (days 0-1), trough 0.9: 1 - 0.99/1.1 = 0.1, recovered on day 3 (1.090909 >= 1)
    expect(m.max_drawdown).toBe(0.1);
    expect([m.max_drawdown_peak, m.max_drawdown_trough, m.max_drawdown_recovery, m.max_drawdown_days]).toEqual([
      "2024-01-02",
      "2024-01-03",
      "2024-01-04",
      2,
    ]);
    // one fill, no round trip closed; held at the closes of days 1, 2, 3
    expect(m.trades).toBe(1);
    expect(m.round_trips).toBe(0);
    expect(m.win_rate).toBeNull();
    expect(m.profit_factor).toBeNull();
    expect(m.exposure).toBe(0.75);
    expect(m.buy_hold_return).toBe(0.2);
    expect(m.benchmark).toBeNull();
  });
});

describe("fees", () => {
  it("buy fee scales buy_hold's final equity by exactly (1 - fee_buy)", () => {
    // 1 * (1 - 0.01) / 1.1 units * 1.2 = 0.99 * 12/11 = 1.08 -> total 0.08
    const r = runBacktest(series([1, 1.1, 0.99, 1.2]), "buy_hold", { params: { fee_buy: 0.01, fee_sell: 0.5 / 100 } });
    expect(r.metrics.total_return).toBe(0.08); // the open position pays no exit fee
  });

  it("a round trip costs exactly (1 - fee_buy) * (1 - fee_sell)", () => {
    const v = [5, 4, 3, 2, 6, 7, 8, 4, 3, 2];
    const free = runBacktest(series(v), "ma_cross", { params: { ...NO_FEES, ma_short: 2, ma_long: 3 } });
    const paid = runBacktest(series(v), "ma_cross", { params: { fee_buy: 0.01, fee_sell: 0.02, ma_short: 2, ma_long: 3 } });
    // zero fees: bought at 7, sold at 3 -> 3/7; with fees 3/7 * 0.99 * 0.98
    expect(free.metrics.total_return).toBeCloseTo(3 / 7 - 1, 6);
    expect(paid.metrics.total_return).toBeCloseTo((3 / 7) * 0.99 * 0.98 - 1, 6);
    expect((1 + paid.metrics.total_return) / (1 + free.metrics.total_return)).toBeCloseTo(0.9702, 5);
  });

  it("initial scales equity, not returns", () => {
    const r = runBacktest(series([1, 1.1, 0.99, 1.2]), "buy_hold", { params: { ...NO_FEES, initial: 1000 } });
    expect(r.equity[3].value).toBeCloseTo(1090.909091, 5);
    expect(r.metrics.total_return).toBe(0.090909);
  });
});

describe("ma_cross: signal on day t, fill on day t+1", () => {
  // values 5 4 3 2 6 7 8 4 3 2, SMA2 vs SMA3:
  //   SMA2: i3 2.5, i4 4, i5 6.5, i6 7.5, i7 6, i8 3.5, i9 2.5
  //   SMA3: i3 3, i4 11/3, i5 5, i6 7, i7 19/3, i8 5, i9 3
  //   short - long: i3 -0.5, i4 +1/3 (in), i5 +1.5, i6 +0.5, i7 -1/3 (out), i8 -1.5, i9 -0.5
  // -> buy at i5's 7, sell at i8's 3
  // equity: 1 1 1 1 1 | 1 (7/7), 8/7, 4/7, 3/7, 3/7
  const r = runBacktest(series([5, 4, 3, 2, 6, 7, 8, 4, 3, 2]), "ma_cross", { params: { ...NO_FEES, ma_short: 2, ma_long: 3 } });

  it("trades the day after each signal", () => {
    expect(r.trades).toEqual([
      { date: "2024-01-06", side: "buy", price: 7 },
      { date: "2024-01-09", side: "sell", price: 3 },
    ]);
  });

  it("counts fills and losing round trips", () => {
    expect(r.metrics.trades).toBe(2);
    expect(r.metrics.win_rate).toBe(0);
    // peak 8/7 on i6, trough 3/7: 1 - 3/8 = 0.625
    expect(r.metrics.max_drawdown).toBe(0.625);
    expect(r.equity.map((e) => e.value)).toEqual([1, 1, 1, 1, 1, 1, 1.142857, 0.571429, 0.428571, 0.428571]);
  });
});

describe("rsi strategy", () => {
  it("buys when oversold and sells when overbought", () => {
    // period 2 Wilder RSI of [10, 9, 8, 7, 9, 12, 11] (seeded, see the strategies test):
    //   i2 0 (<= 30: in -> buy at i3's 7), i3 0, i4 66.667 (keep), i5: gain (1 + 3)/2 = 2,
    //   loss (0.5 + 0)/2 = 0.25, RSI = 100 - 100/(1 + 8) = 88.89 (>= 70: out -> sell at i6's 11)
    const r = runBacktest(series([10, 9, 8, 7, 9, 12, 11]), "rsi", { params: { ...NO_FEES, rsi_period: 2 } });
    expect(r.trades).toEqual([
      { date: "2024-01-04", side: "buy", price: 7 },
      { date: "2024-01-07", side: "sell", price: 11 },
    ]);
    expect(r.metrics.total_return).toBeCloseTo(11 / 7 - 1, 6);
    expect(r.metrics.win_rate).toBe(1);
  });
});

describe("momentum strategy", () => {
  it("goes in at +threshold and out at -threshold", () => {
    // period 2, threshold 0.05 on [1, 1, 1.1, 1.2, 1.0, 0.9, 1]:
    //   i2: 1.1/1 - 1 = 0.1 -> in, buy at i3's 1.2; i3: 1.2/1 - 1 = 0.2 keep;
    //   i4: 1.0/1.1 - 1 = -0.0909 -> out, sell at i5's 0.9; i5: 0.9/1.2 - 1 = -0.25; i6 not filled
    // total = 0.9/1.2 - 1 = -0.25
    const r = runBacktest(series([1, 1, 1.1, 1.2, 1.0, 0.9, 1]), "momentum", { params: { ...NO_FEES, momentum_period: 2 } });
    expect(r.trades.map((t) => [t.side, t.price])).toEqual([
      ["buy", 1.2],
      ["sell", 0.9],
    ]);
    expect(r.metrics.total_return).toBe(-0.25);
  });
});

describe("range and edge cases", () => {
  it("starts in cash on the start date and uses earlier history only for indicators", () => {
    // start on i1: equity 1 on i1, buy at i2's 0.99, 1.2/0.99 - 1 = 0.212121
    const r = runBacktest(series([1, 1.1, 0.99, 1.2]), "buy_hold", { start: "2024-01-02", params: NO_FEES });
    expect(r.equity[0]).toMatchObject({ date: "2024-01-02", value: 1 });
    expect(r.trades).toEqual([{ date: "2024-01-03", side: "buy", price: 0.99 }]);
    expect(r.metrics.total_return).toBe(0.212121);
    expect(r.metrics.days).toBe(2);
  });

  it("ends on the end date", () => {
    const r = runBacktest(series([1, 1.1, 0.99, 1.2]), "buy_hold", { end: "2024-01-03", params: NO_FEES });
    expect(r.equity.at(-1)).toMatchObject({ date: "2024-01-03", value: 0.9 });
  });

  it("gives zero metrics for an empty range", () => {
    const r = runBacktest(series([1, 2, 3]), "buy_hold", { start: "2025-01-01" });
    expect(r.equity).toEqual([]);
    expect(r.trades).toEqual([]);
    expect(r.metrics).toMatchObject({
      total_return: 0,
      annualized_return: null,
      volatility: null,
      sharpe: null,
      max_drawdown: 0,
      trades: 0,
      days: 0,
    });
  });

  it("has no Sharpe, Sortino or Calmar ratio when their denominator is 0", () => {
    const r = runBacktest(series(Array.from({ length: 100 }, () => 1)), "buy_hold", { params: NO_FEES });
    expect(r.metrics.volatility).toBe(0);
    expect(r.metrics.sharpe).toBeNull();
    expect(r.metrics.sortino).toBeNull();
    expect(r.metrics.calmar).toBeNull();
  });

  it("refuses a NaN, zero or negative value", () => {
    expect(() => runBacktest(series([1, 0, 2]), "buy_hold")).toThrow(RangeError);
    expect(() => runBacktest(series([1, Number.NaN, 2]), "buy_hold")).toThrow(RangeError);
  });

  it("rejects bad dates, params and strategies", () => {
    expect(() => runBacktest(series([1, 2]), "buy_hold", { start: "2024/01/01" })).toThrow(/YYYY-MM-DD/);
    expect(() => runBacktest(series([1, 2]), "buy_hold", { params: { fee_buy: 0.1 } })).toThrow();
    expect(() => runBacktest(series([1, 2]), "ma_cross", { params: { ma_short: 30 } })).toThrow();
    expect(() => runBacktest(series([1, 2]), "nope" as "buy_hold")).toThrow(/unknown backtest strategy/);
  });

  it("BacktestParams fills in the documented defaults", () => {
    expect(BacktestParams.parse({})).toMatchObject({ fee_buy: 0.0015, fee_sell: 0.005, risk_free: 0, initial: 1 });
    expect(BacktestParams.safeParse({ extra: 1 }).success).toBe(false);
  });
});

describe("equity downsampling", () => {
  it("returns at most 500 points, first and last kept, with metrics on every day", () => {
    const v = Array.from({ length: 2000 }, (_, i) => 1 + 0.001 * i + 0.05 * Math.sin(i / 7));
    const s = { dates: Array.from({ length: 2000 }, (_, i) => 20000101 + i), values: v };
    const r = runBacktest(s, "buy_hold", { params: NO_FEES });
    expect(r.equity).toHaveLength(EQUITY_POINTS);
    expect(r.equity[0].date).toBe("2000-01-01");
    expect(r.equity.at(-1)?.date).toBe(formatYmd(s.dates[1999]));
    expect(r.metrics.days).toBe(1999);
    // bought at v[1], held to the end
    expect(r.metrics.total_return).toBeCloseTo(v[1999] / v[1] - 1, 6);
    // the max drawdown is of the full curve, which can only be >= that of the sampled one
    let peak = 0;
    let worst = 0;
    for (const e of r.equity) {
      peak = Math.max(peak, e.value);
      worst = Math.max(worst, 1 - e.value / peak);
    }
    expect(r.metrics.max_drawdown).toBeGreaterThanOrEqual(worst - 1e-6);
  });
});

/** yyyymmdd -> YYYY-MM-DD by string slicing (independent of the module's arithmetic version). */
function formatYmd(d: number): string {
  const s = String(d);
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
}

describe("every metric by hand: 300 days against a benchmark, risk-free 3 %", () => {
  const n = 300;
  const v = Array.from({ length: n }, (_, i) => 1 + 0.001 * i + 0.03 * Math.sin(i / 5));
  const b = Array.from({ length: n }, (_, i) => 100 * (1 + 0.0005 * i + 0.02 * Math.cos(i / 7)));
  const dates = Array.from({ length: n }, (_, i) => 20000101 + i);
  const r = runBacktest({ dates, values: v }, "buy_hold", {
    params: { ...NO_FEES, risk_free: 0.03 },
    benchmark: { code: "IDX", dates, values: b },
  });
  const m = r.metrics;

  // Independently: bought at day 1's value and held.
  const e = v.map((x, i) => (i === 0 ? 1 : x / v[1]));
  const ret = e.slice(1).map((x, i) => x / e[i] - 1);
  const rb = b.slice(1).map((x, i) => x / b[i] - 1);
  const rf = Math.pow(1.03, 1 / 252) - 1;
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const sd = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1));
  const ex = ret.map((x) => x - rf);
  const active = ret.map((x, i) => x - rb[i]);
  const cagr = Math.pow(e[n - 1], 252 / (n - 1)) - 1;
  let peak = 0;
  let mdd = 0;
  for (const x of e) {
    peak = Math.max(peak, x);
    mdd = Math.max(mdd, 1 - x / peak);
  }
  const cov = ret.reduce((s, x, i) => s + (x - mean(ret)) * (rb[i] - mean(rb)), 0) / (ret.length - 1);
  const beta = cov / sd(rb) ** 2;

  it("returns, volatility, Sharpe, Sortino and Calmar", () => {
    expect(m.total_return).toBeCloseTo(e[n - 1] - 1, 6);
    expect(m.annualized_return).toBeCloseTo(cagr, 6);
    expect(m.volatility).toBeCloseTo(sd(ret) * Math.sqrt(252), 6);
    expect(m.sharpe).toBeCloseTo((mean(ex) / sd(ex)) * Math.sqrt(252), 6);
    const downside = Math.sqrt(ex.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / ex.length);
    expect(m.sortino).toBeCloseTo((mean(ex) * Math.sqrt(252)) / downside, 5);
    expect(m.max_drawdown).toBeCloseTo(mdd, 6);
    expect(m.calmar).toBeCloseTo(cagr / mdd, 5);
    expect(m.exposure).toBeCloseTo((n - 1) / n, 6);
    expect(m.buy_hold_return).toBeCloseTo(v[n - 1] / v[0] - 1, 6);
  });

  it("beta, alpha, excess return, tracking error and information ratio against the benchmark", () => {
    expect(m.benchmark).toBe("IDX");
    expect(m.benchmark_return).toBeCloseTo(b[n - 1] / b[0] - 1, 6);
    expect(m.excess_return).toBeCloseTo(e[n - 1] - 1 - (b[n - 1] / b[0] - 1), 6);
    expect(m.beta).toBeCloseTo(beta, 6);
    const alphaDaily = mean(ex.map((x, i) => x - beta * (rb[i] - rf)));
    expect(m.alpha).toBeCloseTo(Math.pow(1 + alphaDaily, 252) - 1, 6);
    expect(m.tracking_error).toBeCloseTo(sd(active) * Math.sqrt(252), 6);
    expect(m.information_ratio).toBeCloseTo((mean(active) / sd(active)) * Math.sqrt(252), 6);
    expect(r.equity[0]).toMatchObject({ value: 1, buy_hold: 1, benchmark: 1, drawdown: 0 });
    expect(r.equity.at(-1)?.benchmark).toBeCloseTo(b[n - 1] / b[0], 6);
  });

  it("aligns a benchmark with other days by its last close on or before each day", () => {
    const sparse = { code: "IDX", dates: dates.filter((_, i) => i % 2 === 0), values: b.filter((_, i) => i % 2 === 0) };
    const r2 = runBacktest({ dates, values: v }, "buy_hold", { params: NO_FEES, benchmark: sparse });
    expect(r2.metrics.benchmark_return).toBeCloseTo(b[n - 2] / b[0] - 1, 6); // day 299 takes day 298's close
    const late = { code: "IDX", dates: dates.slice(10), values: b.slice(10) };
    expect(runBacktest({ dates, values: v }, "buy_hold", { params: NO_FEES, benchmark: late }).metrics.beta).toBeNull(); // none on day 0
  });

  it("win rate and profit factor over the round trips", () => {
    const rt = runBacktest({ dates, values: v }, "ma_cross", { params: { ...NO_FEES, ma_short: 3, ma_long: 8 } });
    let cash = 1;
    let profit = 0;
    let loss = 0;
    let wins = 0;
    let trips = 0;
    const price = (d: string) => v[dates.findIndex((x) => formatYmd(x) === d)]; // the unrounded value of the fill day
    for (let i = 0; i + 1 < rt.trades.length; i += 2) {
      const next = (cash * price(rt.trades[i + 1].date)) / price(rt.trades[i].date);
      if (next > cash) {
        profit += next - cash;
        wins++;
      } else loss += cash - next;
      trips++;
      cash = next;
    }
    expect(rt.metrics.round_trips).toBe(trips);
    expect(trips).toBeGreaterThan(5);
    expect(rt.metrics.win_rate).toBeCloseTo(wins / trips, 6);
    expect(rt.metrics.profit_factor).toBeCloseTo(profit / loss, 6);
  });
});
