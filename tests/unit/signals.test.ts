import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DEFAULT_SIGNAL_PARAMS, SignalParams } from "@/contracts/signals";
import { computeSignals, formatDate, type Signal, type SignalName } from "@/domain/signals";

/** Consecutive yyyymmdd dates from 2024-01-01 (calendar validity does not matter to the maths). */
function dates(n: number): number[] {
  return Array.from({ length: n }, (_, i) => 20240101 + i);
}
function series(values: number[]) {
  return { dates: dates(values.length), values };
}
function pick(out: Signal[], name: SignalName): Signal {
  const s = out.find((x) => x.name === name);
  if (!s) throw new Error(`no ${name}`);
  return s;
}

const NAMES: SignalName[] = ["ma_cross", "macd_cross", "rsi", "bollinger", "drawdown", "momentum"];

describe("formatDate", () => {
  it("formats yyyymmdd integers", () => {
    expect(formatDate(20240105)).toBe("2024-01-05");
    expect(formatDate(19991231)).toBe("1999-12-31");
  });
});

describe("computeSignals: shape and short series", () => {
  it("always gives the six signals in order", () => {
    expect(computeSignals(series([1, 2, 3])).map((s) => s.name)).toEqual(NAMES);
  });

  it("says 'insufficient data' (no direction, no value) for an indicator the series is too short for", () => {
    const out = computeSignals(series([1, 2, 3]));
    const needs = { ma_cross: 21, macd_cross: 35, rsi: 15, bollinger: 20, momentum: 21 } as const;
    for (const [name, n] of Object.entries(needs)) {
      expect(pick(out, name as SignalName)).toEqual({
        name,
        direction: "na",
        date: "2024-01-03",
        value: null,
        note: `insufficient data: needs ${n} points, has 3`,
        reason: "insufficient_data",
      });
    }
    // drawdown only needs two points: peak 3 is the last value -> 0
    expect(pick(out, "drawdown")).toMatchObject({ direction: "neutral", value: 0 });
  });

  it("handles an empty series", () => {
    const out = computeSignals({ dates: [], values: [] });
    expect(out).toHaveLength(6);
    for (const s of out) expect(s).toMatchObject({ direction: "na", value: null, reason: "insufficient_data", date: "" });
  });

  it("accepts typed arrays (what the loader hands over)", () => {
    const v = Float64Array.from({ length: 60 }, (_, i) => 1 + i * 0.01);
    const d = Int32Array.from(dates(60));
    const out = computeSignals({ dates: d, values: v });
    expect(pick(out, "rsi").direction).toBe("sell");
  });

  it("ignores undefined params (zod's optional output) and keeps the defaults", () => {
    const v = Array.from({ length: 60 }, (_, i) => 1 + i * 0.01);
    expect(computeSignals(series(v), { ma_short: undefined, rsi_period: undefined })).toEqual(computeSignals(series(v)));
  });
});

describe("ma_cross", () => {
  // SMA2 and SMA3 of [5, 4, 3, 2, 6, 6]:
  //   SMA2: i3 (3+2)/2 = 2.5, i4 (2+6)/2 = 4, i5 6
  //   SMA3: i3 (4+3+2)/3 = 3, i4 (3+2+6)/3 = 11/3, i5 (2+6+6)/3 = 14/3
  //   short - long: i3 -0.5, i4 +1/3, i5 +4/3 -> crossed above on i4 (2024-01-05)
  //   value = 6 / (14/3) - 1 = 18/14 - 1 = 0.285714
  const up = series([5, 4, 3, 2, 6, 6]);
  const p = { ma_short: 2, ma_long: 3, lookback: 2 };

  it("buys on a golden cross within the lookback, dated on the cross day", () => {
    expect(pick(computeSignals(up, p), "ma_cross")).toMatchObject({ direction: "buy", date: "2024-01-05", value: 0.285714 });
  });

  it("is neutral when the cross is older than the lookback", () => {
    // lookback 1 only looks at i5, where short - long stays positive
    const s = pick(computeSignals(up, { ...p, lookback: 1 }), "ma_cross");
    expect(s).toMatchObject({ direction: "neutral", date: "2024-01-06", value: 0.285714 });
  });

  it("sells on a death cross", () => {
    // [1, 2, 3, 4, 1, 1]: SMA2 i3 3.5, i4 2.5, i5 1; SMA3 i3 3, i4 8/3, i5 2
    // short - long: i3 +0.5, i4 -1/6 -> crossed below on i4; value = 1/2 - 1 = -0.5
    expect(pick(computeSignals(series([1, 2, 3, 4, 1, 1]), p), "ma_cross")).toMatchObject({ direction: "sell", date: "2024-01-05", value: -0.5 });
  });

  it("needs ma_long + 1 points", () => {
    expect(pick(computeSignals(series([1, 2, 3]), p), "ma_cross").reason).toBe("insufficient_data");
    expect(pick(computeSignals(series([1, 2, 3, 4]), p), "ma_cross").direction).not.toBe("na");
  });

  it("never crosses on a flat stretch (float noise in the running sums is not a cross)", () => {
    const out = computeSignals(series([1, ...Array.from({ length: 300 }, () => 1.2345)]));
    expect(pick(out, "ma_cross")).toMatchObject({ direction: "neutral", value: 0 });
    expect(pick(out, "macd_cross")).toMatchObject({ direction: "neutral", value: 0 });
  });
});

describe("macd_cross", () => {
  // fast 2, slow 3, signal 2; every EMA seeded by the average of its first n values (here 1,
  // and the signal line's seed is the average of the first two MACD values, 0).
  // Five 1s keep EMAs at 1, MACD and signal at 0. Then 2:
  //   EMAfast = 2*(2/3) + 1*(1/3) = 5/3, EMAslow = 2*(1/2) + 1*(1/2) = 3/2, MACD = 1/6
  //   signal = (1/6)*(2/3) + 0*(1/3) = 1/9; histogram = 1/6 - 1/9 = 1/18 = 0.055556
  // MACD - signal goes from 0 (flat) to positive on i5 -> buy dated 2024-01-06.
  const p = { macd_fast: 2, macd_slow: 3, macd_signal: 2, lookback: 2 };

  it("buys when MACD crosses above its signal line", () => {
    expect(pick(computeSignals(series([1, 1, 1, 1, 1, 2]), p), "macd_cross")).toMatchObject({
      direction: "buy",
      date: "2024-01-06",
      value: 0.055556,
    });
  });

  it("sells when MACD crosses below", () => {
    // Then 0.5: EMAfast = 0.5*(2/3) + 1/3 = 2/3, EMAslow = 0.75, MACD = -1/12,
    // signal = -1/12 * 2/3 = -1/18, histogram = -1/12 + 1/18 = -1/36 = -0.027778
    expect(pick(computeSignals(series([1, 1, 1, 1, 1, 0.5]), p), "macd_cross")).toMatchObject({
      direction: "sell",
      date: "2024-01-06",
      value: -0.027778,
    });
  });

  it("is neutral once the cross is outside the lookback", () => {
    // One more 2: EMAfast = 4/3 + 5/9 = 17/9, EMAslow = 1 + 3/4 = 7/4, MACD = 5/36,
    // signal = 5/36*2/3 + 1/9*1/3 = 10/108 + 4/108 = 14/108; histogram = 15/108 - 14/108 = 1/108 > 0
    const s = pick(computeSignals(series([1, 1, 1, 1, 1, 2, 2]), { ...p, lookback: 1 }), "macd_cross");
    expect(s).toMatchObject({ direction: "neutral", value: 0.009259 });
  });

  it("needs macd_slow + macd_signal points", () => {
    // The signal line exists from index slow + signal - 2 = 3; a cross needs one more day.
    expect(pick(computeSignals(series([1, 1, 1, 2]), p), "macd_cross").reason).toBe("insufficient_data");
    expect(pick(computeSignals(series([1, 1, 1, 2, 3]), p), "macd_cross").direction).not.toBe("na");
  });
});

describe("rsi", () => {
  it("is 100 on a steadily rising series -> sell", () => {
    // no losses: RS = gain / 0 = Infinity, RSI = 100 - 100 / Infinity = 100
    const s = pick(computeSignals(series(Array.from({ length: 30 }, (_, i) => 1 + i))), "rsi");
    expect(s).toMatchObject({ direction: "sell", value: 100 });
  });

  it("is 0 on a steadily falling series -> buy", () => {
    const s = pick(computeSignals(series(Array.from({ length: 30 }, (_, i) => 100 - i))), "rsi");
    expect(s).toMatchObject({ direction: "buy", value: 0 });
  });

  it("is 100 or 0 from the first move after a flat start (before it: no gain, no loss, no RSI)", () => {
    expect(pick(computeSignals(series([2, 2, 2, 2, 2, 2, 3]), { rsi_period: 5 }), "rsi")).toMatchObject({ direction: "sell", value: 100 });
    expect(pick(computeSignals(series([3, 2, 2, 2, 2, 2, 2]), { rsi_period: 5 }), "rsi")).toMatchObject({ direction: "buy", value: 0 });
  });

  it("matches a hand-computed Wilder RSI seeded by the simple averages of the first n changes", () => {
    // period 2, values [1, 2, 1.5, 2.5]: changes +1, -0.5, +1
    //   seed at index 2: gain (1 + 0)/2 = 0.5, loss (0 + 0.5)/2 = 0.25
    //   index 3: gain (0.5*1 + 1)/2 = 0.75, loss (0.25*1 + 0)/2 = 0.125
    // RS = 0.75 / 0.125 = 6, RSI = 100 - 100/7 = 85.714286 -> sell at the default 70
    const s = pick(computeSignals(series([1, 2, 1.5, 2.5]), { rsi_period: 2 }), "rsi");
    expect(s).toMatchObject({ direction: "sell", value: 85.714286 });
    expect(pick(computeSignals(series([1, 2, 1.5, 2.5]), { rsi_period: 2, rsi_overbought: 90 }), "rsi").direction).toBe("neutral");
  });
});

describe("bollinger", () => {
  // period 4, last four values [2, 2, 2, 6]: mean 3, deviations -1 -1 -1 3,
  // population variance (1+1+1+9)/4 = 3, sd = sqrt(3).
  // %B = (v - (m - k sd)) / (2 k sd) = 0.5 + (v - m) / (2 k sd) = 0.5 + 3 / (2 k sqrt 3) = 0.5 + sqrt(3)/(2k)
  it("is inside the k=2 bands: %B = 0.5 + sqrt(3)/4 = 0.933013", () => {
    expect(pick(computeSignals(series([9, 2, 2, 2, 6]), { boll_period: 4 }), "bollinger")).toMatchObject({ direction: "neutral", value: 0.933013 });
  });

  it("sells above the k=1 upper band (3 + 1.732 < 6): %B = 0.5 + sqrt(3)/2 = 1.366025", () => {
    expect(pick(computeSignals(series([9, 2, 2, 2, 6]), { boll_period: 4, boll_k: 1 }), "bollinger")).toMatchObject({
      direction: "sell",
      value: 1.366025,
    });
  });

  it("buys below the lower band", () => {
    // [4, 4, 4, 1]: mean 3.25, deviations 0.75 x3 and -2.25, variance 6.75/4, sd 1.299038;
    // %B = 0.5 + (1 - 3.25) / (2 * 1.299038) = 0.5 - 0.866025 = -0.366025
    expect(pick(computeSignals(series([4, 4, 4, 1]), { boll_period: 4, boll_k: 1 }), "bollinger")).toMatchObject({
      direction: "buy",
      value: -0.366025,
    });
  });

  it("gives %B 0.5 on flat bands", () => {
    expect(pick(computeSignals(series([2, 1, 1, 1, 1]), { boll_period: 4 }), "bollinger")).toMatchObject({ direction: "neutral", value: 0.5 });
  });
});

describe("drawdown", () => {
  // [100, 120, 90, 96, 100]
  it("measures the fall from the peak in the window: 1 - 100/120 = 0.166667 -> sell", () => {
    const s = pick(computeSignals(series([100, 120, 90, 96, 100]), { drawdown_window: 3 }), "drawdown");
    expect(s).toMatchObject({ direction: "sell", value: 0.166667 });
    expect(s.note).toContain("2024-01-02");
  });

  it("forgets peaks older than the window: last 3 values [90, 96, 100] -> 0", () => {
    expect(pick(computeSignals(series([100, 120, 90, 96, 100]), { drawdown_window: 2 }), "drawdown")).toMatchObject({
      direction: "neutral",
      value: 0,
    });
  });

  it("alerts at the threshold: 1 - 96/120 = 0.2", () => {
    const v = [100, 120, 90, 96];
    expect(pick(computeSignals(series(v), { drawdown_alert: 0.2 }), "drawdown")).toMatchObject({ direction: "sell", value: 0.2 });
    expect(pick(computeSignals(series(v), { drawdown_alert: 0.25 }), "drawdown")).toMatchObject({ direction: "neutral", value: 0.2 });
  });
});

describe("momentum", () => {
  it("is v[t]/v[t-n] - 1: 120/50 - 1 = 1.4 -> buy", () => {
    expect(pick(computeSignals(series([100, 50, 60, 110, 120]), { momentum_period: 3 }), "momentum")).toMatchObject({ direction: "buy", value: 1.4 });
  });

  it("sells at or below -threshold: 94/100 - 1 = -0.06", () => {
    expect(pick(computeSignals(series([100, 100, 100, 100, 94]), { momentum_period: 4 }), "momentum")).toMatchObject({
      direction: "sell",
      value: -0.06,
    });
  });

  it("is neutral inside the threshold: 96/100 - 1 = -0.04", () => {
    expect(pick(computeSignals(series([100, 100, 100, 100, 96]), { momentum_period: 4 }), "momentum")).toMatchObject({
      direction: "neutral",
      value: -0.04,
    });
  });

  it("needs momentum_period + 1 points", () => {
    expect(pick(computeSignals(series([1, 2, 3, 4]), { momentum_period: 4 }), "momentum").reason).toBe("insufficient_data");
  });
});

describe("no NaN or Infinity ever", () => {
  it("holds for arbitrary positive series, including flat runs (property)", () => {
    const value = fc.oneof(fc.constant(1), fc.double({ min: 0.01, max: 1000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 80 }), (vals) => {
        const out = computeSignals(series(vals), {
          ma_short: 3,
          ma_long: 6,
          macd_fast: 3,
          macd_slow: 6,
          macd_signal: 3,
          rsi_period: 5,
          boll_period: 5,
          momentum_period: 5,
        });
        expect(out.map((s) => s.name)).toEqual(NAMES);
        for (const s of out) {
          if (s.direction === "na") expect(s.value).toBeNull();
          else expect(Number.isFinite(s.value)).toBe(true);
          expect(["buy", "sell", "neutral", "na"]).toContain(s.direction);
        }
      }),
    );
  });

  it("throws on a NaN, zero or negative value instead of computing with it", () => {
    for (const bad of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY])
      expect(() => computeSignals(series([1, 2, bad, 3])), String(bad)).toThrow(RangeError);
  });
});

describe("signals that do not apply", () => {
  const rising = Array.from({ length: 300 }, (_, i) => 1 + i * 0.0001);

  it("gives a money market fund no direction at all, whatever its NAV does", () => {
    // The adjusted NAV of a money fund rises every day: RSI would be 100, "overbought, sell".
    const out = computeSignals({ ...series(rising), moneyFund: true });
    for (const s of out) expect(s).toMatchObject({ direction: "na", value: null, reason: "money_fund", note: "not applicable: money market fund" });
    expect(pick(computeSignals(series(rising)), "rsi")).toMatchObject({ direction: "sell", value: 100 }); // the same NAV, not marked
  });

  it("says 'constant series' for a NAV that never moves", () => {
    for (const s of computeSignals(series(Array.from({ length: 300 }, () => 1.2345))))
      expect(s).toMatchObject({ direction: "na", value: null, reason: "constant", note: "not applicable: constant series" });
  });
});

describe("SignalParams", () => {
  it("accepts an empty or partial object", () => {
    expect(SignalParams.parse({})).toEqual({});
    expect(SignalParams.parse({ ma_short: 10, lookback: 3 })).toEqual({ ma_short: 10, lookback: 3 });
  });

  it("rejects unknown fields, out-of-range periods and inverted pairs", () => {
    expect(SignalParams.safeParse({ foo: 1 }).success).toBe(false);
    expect(SignalParams.safeParse({ ma_long: 1 }).success).toBe(false);
    expect(SignalParams.safeParse({ ma_long: 251 }).success).toBe(false);
    expect(SignalParams.safeParse({ ma_short: 2.5 }).success).toBe(false);
    expect(SignalParams.safeParse({ ma_short: 30 }).success).toBe(false); // vs the default ma_long 20
    expect(SignalParams.safeParse({ ma_short: 30, ma_long: 60 }).success).toBe(true);
    expect(SignalParams.safeParse({ rsi_oversold: 40, rsi_overbought: 50 }).success).toBe(true);
    expect(SignalParams.safeParse({ rsi_overbought: 120 }).success).toBe(false);
    expect(SignalParams.safeParse({ macd_fast: 30 }).success).toBe(false);
    expect(SignalParams.safeParse({ drawdown_alert: 0 }).success).toBe(false);
  });

  it("accepts every default", () => {
    expect(SignalParams.safeParse(DEFAULT_SIGNAL_PARAMS).success).toBe(true);
  });
});

describe("performance", () => {
  it("computes signals for 2,000 random-walk series x 1,250 points in well under 20 s", () => {
    const N = 2000;
    const LEN = 1250;
    // Deterministic LCG random walk so the run is reproducible.
    let seed = 12345;
    const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
    const d = Int32Array.from(dates(LEN));
    const all = Array.from({ length: N }, () => {
      const v = new Float64Array(LEN);
      let x = 1;
      for (let i = 0; i < LEN; i++) v[i] = x *= 1 + rnd() * 0.03;
      return { dates: d, values: v };
    });
    const t0 = performance.now();
    let nonNeutral = 0;
    for (const s of all) for (const sig of computeSignals(s)) if (sig.direction !== "neutral") nonNeutral++;
    const ms = performance.now() - t0;
    console.log(`computeSignals: ${N} series x ${LEN} points in ${ms.toFixed(0)} ms (${nonNeutral} non-neutral signals)`);
    expect(ms).toBeLessThan(20_000);
  });
});
