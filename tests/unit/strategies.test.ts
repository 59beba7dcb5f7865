import { describe, expect, it } from "vitest";
import { evaluate, parseStrategyParams, selectMatches, STRATEGIES, StrategyParams, type Evaluation } from "@/domain/strategies";
import { StrategyPayload } from "@/tasks/strategy";
import { SCREEN_PARAMS } from "@/contracts/researchParams";
import { BACKTEST_PARAM_SPECS, BacktestParams } from "@/contracts/backtests";

function series(values: number[]) {
  return { dates: Array.from({ length: values.length }, (_, i) => 20240101 + i), values };
}

describe("STRATEGIES", () => {
  it("lists the four screens with Chinese names and default params", () => {
    const byId = Object.fromEntries(STRATEGIES.map((d) => [d.id, d]));
    expect(byId.ma_golden_cross.name).toBe("MA金叉");
    expect(byId.rsi_oversold_rebound.name).toBe("RSI超卖反弹");
    expect(byId.momentum_top_n.name).toBe("动量前N");
    expect(byId.momentum_top_n.params.top_n).toBe(50);
    expect(byId.low_drawdown.name).toBe("低回撤");
    expect(byId.low_drawdown.params).toEqual({ window: 250, max_drawdown: 0.05 });
  });

  it("throws on an unknown strategy", () => {
    expect(() => evaluate("nope", series([1, 2]))).toThrow(/unknown strategy/);
    expect(() => parseStrategyParams("nope", {})).toThrow(/unknown strategy/);
  });
});

describe("ma_golden_cross", () => {
  const p = { ma_short: 2, ma_long: 3, lookback: 2 };

  it("matches a golden cross in the lookback", () => {
    // SMA2/SMA3 of [5, 4, 3, 2, 6, 6]: short - long i3 -0.5, i4 +1/3, i5 +4/3 -> cross on i4,
    // one day before the last; score = SMA2/SMA3 - 1 = 6/(14/3) - 1 = 0.285714
    const ev = evaluate("ma_golden_cross", series([5, 4, 3, 2, 6, 6]), p);
    expect(ev).toEqual({ match: true, score: 0.285714, detail: { sma_short: 6, sma_long: 4.666667, spread: 0.285714, days_ago: 1 } });
  });

  it("does not match a death cross or a series too short", () => {
    // [1, 2, 3, 4, 1, 1]: crosses below on i4
    expect(evaluate("ma_golden_cross", series([1, 2, 3, 4, 1, 1]), p).match).toBe(false);
    expect(evaluate("ma_golden_cross", series([1, 2, 3]), p)).toEqual({ match: false, score: 0, detail: {} });
  });
});

describe("rsi_oversold_rebound", () => {
  // period 2, values [10, 9, 8, 7, 9]: changes -1, -1, -1, +2
  // Wilder, seeded by the first two changes: i2 gain 0, loss 1 (RSI 0); i3 gain 0, loss (1 + 1)/2 = 1 (RSI 0);
  // i4 gain (0 + 2)/2 = 1, loss (1 + 0)/2 = 0.5: RS 2, RSI = 100 - 100/3 = 66.666667
  // -> RSI went from 0 (< 30) to 66.67 (>= 30) on the last day: a rebound of 66.666667
  const p = { rsi_period: 2, rsi_oversold: 30, lookback: 5 };

  it("matches RSI crossing up through the oversold level", () => {
    expect(evaluate("rsi_oversold_rebound", series([10, 9, 8, 7, 9]), p)).toEqual({
      match: true,
      score: 66.666667,
      detail: { rsi: 66.666667, rsi_before: 0, days_ago: 0 },
    });
  });

  it("does not match once RSI falls back below", () => {
    // then 6: gain (1 + 0)/2 = 0.5, loss (0.5 + 3)/2 = 1.75, RSI = 100 - 100/(1 + 0.5/1.75) = 22.222222
    const ev = evaluate("rsi_oversold_rebound", series([10, 9, 8, 7, 9, 6]), p);
    expect(ev.match).toBe(false);
    expect(ev.detail.rsi).toBeCloseTo(22.222222, 6);
  });

  it("does not match when the cross is older than the lookback", () => {
    // [10, 9, 8, 7, 9, 9]: the cross is on i4, the last day is i5; lookback 1 sees only i5
    expect(evaluate("rsi_oversold_rebound", series([10, 9, 8, 7, 9, 9]), { ...p, lookback: 1 }).match).toBe(false);
    expect(evaluate("rsi_oversold_rebound", series([10, 9, 8, 7, 9, 9]), { ...p, lookback: 2 }).match).toBe(true);
  });
});

describe("momentum_top_n", () => {
  it("scores by return over the period and keeps the top N, best first", () => {
    const p = { momentum_period: 2, top_n: 2 };
    const funds: Record<string, number[]> = {
      A: [1, 1, 1.1], // 1.1/1 - 1 = 0.1
      B: [1, 2, 1.5], // 1.5/1 - 1 = 0.5
      C: [2, 2, 1], //   1/2 - 1 = -0.5
      D: [1, 1], //      too short: needs 3 points
      E: [4, 4, 4.4], // 4.4/4 - 1 = 0.1 (ties with A, sorted by code)
    };
    const evaluated = Object.entries(funds).map(([code, v]) => ({ code, ev: evaluate("momentum_top_n", series(v), p) }));
    expect(evaluated.find((e) => e.code === "D")?.ev.match).toBe(false);
    expect(evaluated.find((e) => e.code === "A")?.ev.score).toBe(0.1);
    expect(selectMatches("momentum_top_n", evaluated, p).map((r) => [r.code, r.score])).toEqual([
      ["B", 0.5],
      ["A", 0.1],
    ]);
    expect(selectMatches("momentum_top_n", evaluated, { ...p, top_n: 10 }).map((r) => r.code)).toEqual(["B", "A", "E", "C"]);
  });
});

describe("low_drawdown", () => {
  const p = { window: 4, max_drawdown: 0.05 };

  it("matches a max drawdown within the cap and scores by the window's return", () => {
    // last window + 1 = 5 values [1.00, 1.02, 1.01, 1.03, 1.05]:
    // max drawdown = 1 - 1.01/1.02 = 0.009804; return = 1.05/1.00 - 1 = 0.05
    const ev = evaluate("low_drawdown", series([0.5, 1.0, 1.02, 1.01, 1.03, 1.05]), p);
    expect(ev).toEqual({ match: true, score: 0.05, detail: { max_drawdown: 0.009804, return: 0.05 } });
  });

  it("counts a drawdown exactly at the cap as within it", () => {
    // 1 - 0.95/1 = 0.05 (0.050000000000000044 in floating point, compared as shown)
    expect(evaluate("low_drawdown", series([1, 1, 0.95, 0.98, 1.0]), p).match).toBe(true);
  });

  it("rejects a deeper drawdown and a series shorter than window + 1", () => {
    // 1 - 0.9/1 = 0.1 > 0.05
    expect(evaluate("low_drawdown", series([1, 0.9, 1.1, 1.2, 1.3]), p)).toMatchObject({ match: false, detail: { max_drawdown: 0.1 } });
    expect(evaluate("low_drawdown", series([1, 1, 1, 1]), p).match).toBe(false);
  });

  it("sorts matches by return", () => {
    const evaluated = [
      { code: "X", ev: evaluate("low_drawdown", series([1, 1.01, 1.02, 1.03, 1.04]), p) },
      { code: "Y", ev: evaluate("low_drawdown", series([1, 1.02, 1.04, 1.06, 1.08]), p) },
      { code: "Z", ev: evaluate("low_drawdown", series([1, 0.8, 1.5, 1.6, 1.7]), p) },
    ];
    expect(selectMatches("low_drawdown", evaluated, p).map((r) => r.code)).toEqual(["Y", "X"]);
  });
});

describe("selectMatches", () => {
  it("drops non-matches, sorts by score then code, and does not cut other screens", () => {
    const ev = (match: boolean, score: number): Evaluation => ({ match, score, detail: {} });
    const rows = selectMatches("ma_golden_cross", [
      { code: "b", ev: ev(true, 0.1) },
      { code: "a", ev: ev(true, 0.1) },
      { code: "c", ev: ev(false, 9) },
      { code: "d", ev: ev(true, 0.3) },
    ]);
    expect(rows.map((r) => r.code)).toEqual(["d", "a", "b"]);
  });
});

describe("params", () => {
  it("parseStrategyParams fills in defaults and validates per strategy", () => {
    expect(parseStrategyParams("momentum_top_n")).toEqual({ momentum_period: 20, top_n: 50 });
    expect(parseStrategyParams("momentum_top_n", { top_n: 10 })).toEqual({ momentum_period: 20, top_n: 10 });
    expect(() => parseStrategyParams("momentum_top_n", { top_n: 0 })).toThrow();
    expect(() => parseStrategyParams("momentum_top_n", { window: 5 })).toThrow(); // not a param of this screen
    expect(() => parseStrategyParams("ma_golden_cross", { ma_short: 30 })).toThrow(); // >= default ma_long
    expect(() => parseStrategyParams("low_drawdown", { max_drawdown: 0 })).toThrow();
  });

  it("StrategyParams accepts a record of bounded numbers only", () => {
    expect(StrategyParams.safeParse({ top_n: 10 }).success).toBe(true);
    expect(StrategyParams.safeParse({ top_n: "10" }).success).toBe(false);
    expect(StrategyParams.safeParse({ top_n: 1e9 }).success).toBe(false);
  });
});

describe("declared parameters (contracts/researchParams.ts) are what the server checks", () => {
  it("refuses a screen param out of its declared range or out of order, naming it", () => {
    const bad = [
      [{ strategy: "momentum_top_n", params: { top_n: 0 } }, "top_n must be at least 1"],
      [{ strategy: "low_drawdown", params: { window: 2000 } }, "window must be at most 1250"],
      [{ strategy: "rsi_oversold_rebound", params: { rsi_period: 14.5 } }, "rsi_period must be a whole number"],
      [{ strategy: "ma_golden_cross", params: { ma_short: 30 } }, "ma_short must be less than ma_long"],
    ] as const;
    for (const [payload, message] of bad) {
      const r = StrategyPayload.safeParse(payload);
      expect(r.success, JSON.stringify(payload)).toBe(false);
      expect(JSON.stringify(r.error?.issues)).toContain(message);
    }
    expect(StrategyPayload.safeParse({ strategy: "ma_golden_cross", params: { ma_short: 10, ma_long: 60 } }).success).toBe(true);
  });

  it("builds the defaults of every screen from its declarations", () => {
    for (const s of STRATEGIES) {
      const group = SCREEN_PARAMS[s.id as keyof typeof SCREEN_PARAMS];
      expect(s.params).toEqual(Object.fromEntries(group.specs.map((p) => [p.key, p.default])));
    }
  });

  it("declares every backtest parameter once, with BacktestParams checking their ranges", () => {
    expect(BACKTEST_PARAM_SPECS.map((p) => p.key).sort()).toEqual(Object.keys(BacktestParams.parse({})).sort());
    expect(new Set(BACKTEST_PARAM_SPECS.map((p) => p.key)).size).toBe(BACKTEST_PARAM_SPECS.length);
    expect(JSON.stringify(BacktestParams.safeParse({ fee_buy: 0.06 }).error?.issues)).toContain("fee_buy must be at most 0.05");
    expect(JSON.stringify(BacktestParams.safeParse({ rsi_oversold: 60 }).error?.issues)).toContain("rsi_oversold must be at most 50");
  });
});
