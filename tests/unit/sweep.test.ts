/**
 * Sweeps: the axes and their expansion (what the browser previews is what the server makes),
 * and the figures of a sweep (leaderboard, heatmap, robustness, Kendall's W) against hand
 * computations written out beside each expectation.
 */
import { describe, expect, it } from "vitest";
import { axisLength, axisValues, combinationCount, CreateSweepBody, expandSweep, parseAxisText } from "@/contracts/sweeps";
import { fractionalRanks, kendallW, sweepFigures, type SweepRun } from "@/domain/sweep";

describe("sweep axes", () => {
  it("expands ranges with both ends and without binary-fraction drift, and lists without repeats", () => {
    expect(axisValues({ from: 5, to: 20, step: 5 })).toEqual([5, 10, 15, 20]);
    expect(axisValues({ from: 5, to: 22, step: 5 })).toEqual([5, 10, 15, 20]);
    expect(axisValues({ from: 0.1, to: 0.3, step: 0.1 })).toEqual([0.1, 0.2, 0.3]);
    expect(axisValues([40, 60, 60, 120])).toEqual([40, 60, 120]);
    expect(axisLength({ from: 1, to: 250, step: 1e-9 })).toBeGreaterThan(2e11); // counted, never made
    expect(combinationCount({ a: { from: 5, to: 20, step: 5 }, b: [40, 60, 120] })).toBe(12);
  });

  it("parses the page's text forms", () => {
    expect(parseAxisText("5..20 step 5")).toEqual({ from: 5, to: 20, step: 5 });
    expect(parseAxisText(" 5 .. 20 ")).toEqual({ from: 5, to: 20, step: 1 });
    expect(parseAxisText("40, 60, 120")).toEqual([40, 60, 120]);
    expect(parseAxisText("[40，60 120]")).toEqual([40, 60, 120]);
    expect(parseAxisText("10")).toEqual([10]);
    expect(typeof parseAxisText("five")).toBe("string");
    expect(typeof parseAxisText("")).toBe("string");
  });

  it("checks every axis against the strategy's declared params", () => {
    const body = (sweep: unknown) => CreateSweepBody.safeParse({ fund_codes: ["000001"], strategy: "ma_cross", sweep });
    expect(body({ ma_short: { from: 5, to: 20, step: 5 } }).success).toBe(true);
    expect(body({ fee_buy: [0, 0.001] }).success).toBe(true);
    const messages = (sweep: unknown) => {
      const r = body(sweep);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    expect(messages({ rsi_period: [10] })[0]).toMatch(/ma_cross has no parameter rsi_period/);
    expect(messages({ ma_short: [1, 5] })[0]).toMatch(/ma_short must be at least 2 \(value 1\)/);
    expect(messages({ ma_short: [5.5] })[0]).toMatch(/whole number/);
    expect(messages({ ma_short: { from: 20, to: 5, step: 5 } })[0]).toMatch(/from \(20\) is above to \(5\)/);
    expect(messages({ ma_short: { from: 2, to: 250, step: 0.01 } })[0]).toMatch(/24801 values, more than 1000/);
    expect(messages({})[0]).toMatch(/1 to 4 params/);
  });

  it("skips the combinations an order rule refuses, with the reason", () => {
    const r = expandSweep({}, { ma_short: [5, 30], ma_long: [20, 40] });
    expect(r.combinations).toEqual([
      { ma_short: 5, ma_long: 20 },
      { ma_short: 5, ma_long: 40 },
      { ma_short: 30, ma_long: 40 },
    ]);
    expect(r.skipped).toEqual([{ params: { ma_short: 30, ma_long: 20 }, reason: "ma_short must be less than ma_long" }]);
    // The base params take part in the check: ma_long 20 from the base, ma_short swept past it.
    expect(expandSweep({ ma_long: 20 }, { ma_short: [10, 25] }).combinations).toEqual([{ ma_short: 10 }]);
  });
});

describe("sweep figures", () => {
  it("ranks with shared mean ranks for ties", () => {
    expect(fractionalRanks([0.5, 0.9, 0.5, 0.1], true)).toEqual([2.5, 1, 2.5, 4]);
    expect(fractionalRanks([0.5, 0.9, 0.5, 0.1], false)).toEqual([2.5, 4, 2.5, 1]);
  });

  it("computes Kendall's W by hand, without and with ties", () => {
    // Column sums 4, 6, 8, 12; mean m(n+1)/2 = 7.5; S = 3.5² + 1.5² + 0.5² + 4.5² = 35;
    // W = 12·35 / (3²·(4³ − 4)) = 420 / 540.
    expect(
      kendallW([
        [1, 2, 3, 4],
        [2, 1, 3, 4],
        [1, 3, 2, 4],
      ]),
    ).toBeCloseTo(420 / 540, 12);
    // Ties: row 2 ties two items (t = 2: T = 2³ − 2 = 6). Sums 3, 4.5, 4.5 + … here n = 3:
    // rows [1,2,3], [1,2.5,2.5] → sums 2, 4.5, 5.5; mean 2·4/2 = 4; S = 4 + 0.25 + 2.25 = 6.5;
    // W = 12·6.5 / (2²·(27 − 3) − 2·6) = 78 / 84.
    expect(
      kendallW([
        [1, 2, 3],
        [1, 2.5, 2.5],
      ]),
    ).toBeCloseTo(78 / 84, 12);
    // Perfect agreement is 1; opposite rankings of two raters are 0.
    expect(
      kendallW([
        [1, 2, 3],
        [1, 2, 3],
      ]),
    ).toBeCloseTo(1, 12);
    expect(
      kendallW([
        [1, 2, 3],
        [3, 2, 1],
      ]),
    ).toBeCloseTo(0, 12);
    expect(kendallW([[1, 2, 3]])).toBeNull();
  });

  // Two funds A, B; ma_short ∈ {5, 10} × ma_long ∈ {20, 40}; Sharpe by hand:
  //              (5,20)  (5,40)  (10,20)  (10,40)
  //   A           0.2     0.8     0.4      0.6
  //   B           0.4     0.6     null     1.0
  const values: Record<string, (number | null)[]> = { A: [0.2, 0.8, 0.4, 0.6], B: [0.4, 0.6, null, 1.0] };
  const combos = [
    { ma_short: 5, ma_long: 20 },
    { ma_short: 5, ma_long: 40 },
    { ma_short: 10, ma_long: 20 },
    { ma_short: 10, ma_long: 40 },
  ];
  const runs: SweepRun[] = Object.entries(values).flatMap(([fund, vs]) =>
    vs.map((value, i) => ({ taskId: `${fund}${i}`, fund, combo: combos[i], value })),
  );
  const axes = ["ma_short", "ma_long"];

  it("ranks combinations by their mean over the funds, counts wins, and draws the heatmap", () => {
    const f = sweepFigures(runs, { axes, higherIsBetter: true, fund: null, x: "ma_short", y: "ma_long" });
    // Means: (5,20) 0.3, (5,40) 0.7, (10,20) 0.4 (A only), (10,40) 0.8.
    expect(f.leaderboard.map((r) => [r.params, r.rank, r.n, r.runs, r.wins])).toEqual([
      [{ ma_short: 10, ma_long: 40 }, 1, 2, 2, 1], // best on B (1.0)
      [{ ma_short: 5, ma_long: 40 }, 2, 2, 2, 1], // best on A (0.8)
      [{ ma_short: 10, ma_long: 20 }, 3, 1, 2, 0],
      [{ ma_short: 5, ma_long: 20 }, 4, 2, 2, 0],
    ]);
    expect(f.leaderboard[0].mean).toBeCloseTo(0.8, 12);
    expect(f.leaderboard[0].median).toBeCloseTo(0.8, 12);
    expect([f.leaderboard[0].min, f.leaderboard[0].max]).toEqual([0.6, 1.0]);
    expect(f.heatmap.xs).toEqual([5, 10]);
    expect(f.heatmap.ys).toEqual([20, 40]);
    // cells[y][x]: y = ma_long 20 → [0.3, 0.4]; 40 → [0.7, 0.8].
    expect(f.heatmap.cells.flat().map((v) => Number(v!.toFixed(12)))).toEqual([0.3, 0.4, 0.7, 0.8]);
    expect(f.heatmap.counts).toEqual([
      [2, 1],
      [2, 2],
    ]);
  });

  it("scopes to one fund: its values, its run ids", () => {
    const f = sweepFigures(runs, { axes, higherIsBetter: true, fund: "A", x: "ma_long", y: null });
    expect(f.leaderboard.map((r) => [r.params.ma_short, r.params.ma_long, r.mean, r.taskId])).toEqual([
      [5, 40, 0.8, "A1"],
      [10, 40, 0.6, "A3"],
      [10, 20, 0.4, "A2"],
      [5, 20, 0.2, "A0"],
    ]);
    // One axis: a single row; ma_long 20 → mean(0.2, 0.4), 40 → mean(0.8, 0.6).
    expect(f.heatmap.cells[0].map((v) => Number(v!.toFixed(12)))).toEqual([0.3, 0.7]);
  });

  it("says how the best combination over all funds ranks on each fund, and how much the funds agree", () => {
    const f = sweepFigures(runs, { axes, higherIsBetter: true, fund: null, x: "ma_short", y: "ma_long" });
    const r = f.robustness!;
    expect(r.params).toEqual({ ma_short: 10, ma_long: 40 });
    // A ranks (10,40) 2nd of 4 (0.8 > 0.6); B 1st of 3 (its (10,20) has no value).
    expect(r.perFund).toEqual([
      { fund: "A", rank: 2, of: 4, value: 0.6 },
      { fund: "B", rank: 1, of: 3, value: 1.0 },
    ]);
    expect([r.medianRank, r.meanRank]).toEqual([1.5, 1.5]);
    // Top quartile: rank ≤ ceil(of / 4) → A: 2 ≤ 1 no; B: 1 ≤ 1 yes.
    expect([r.topQuartileShare, r.firstShare]).toEqual([0.5, 0.5]);
    // Only A has a value for every combination: W needs two funds.
    expect([r.kendallW, r.kendallFunds]).toEqual([null, 1]);
    // Lower is better (a drawdown, say): the best mean is now (5,20) at 0.3.
    expect(sweepFigures(runs, { axes, higherIsBetter: false, fund: null, x: null, y: null }).robustness!.params).toEqual({
      ma_short: 5,
      ma_long: 20,
    });
  });
});
