import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { NavSeries } from "@/domain/series";
import { Ymd } from "@/contracts/funds";
import { shanghaiToday } from "@/domain/calendar";
import { seriesAsOf } from "@/tasks/shared";
import { SignalsPayload } from "@/contracts/signals";
import { StrategyPayload } from "@/tasks/strategy";

function series(dates: number[]): NavSeries {
  return {
    code: "000001",
    dates: Int32Array.from(dates),
    nav: Float64Array.from(dates, (_, i) => 1 + i / 100),
    accNav: Float64Array.from(dates, (_, i) => 2 + i / 100),
    actions: dates.length > 2 ? [{ date: dates[2], dividend: 0.01, split: 1 }] : [],
  };
}

describe("seriesAsOf", () => {
  const s = series([20240102, 20240103, 20240105, 20240108]);

  it("keeps the points on or before the day, in all three arrays", () => {
    const t = seriesAsOf(s, 20240105);
    expect([...t.dates]).toEqual([20240102, 20240103, 20240105]);
    expect([...t.nav]).toEqual([1, 1.01, 1.02]);
    expect([...t.accNav]).toEqual([2, 2.01, 2.02]);
    expect(t.actions).toEqual([{ date: 20240105, dividend: 0.01, split: 1 }]);
    expect(seriesAsOf(s, 20240103).actions).toEqual([]); // a dividend after the cut was not known yet
  });

  it("cuts before a day that is not a trading day, and to nothing before the first point", () => {
    expect([...seriesAsOf(s, 20240107).dates]).toEqual([20240102, 20240103, 20240105]);
    expect(seriesAsOf(s, 20240101).dates.length).toBe(0);
    expect(seriesAsOf(series([]), 20240101).dates.length).toBe(0);
  });

  it("returns the series itself when nothing is later, and copies otherwise (no view on later points)", () => {
    expect(seriesAsOf(s, 20240108)).toBe(s);
    expect(seriesAsOf(s, 20991231)).toBe(s);
    const t = seriesAsOf(s, 20240103);
    expect(t.dates.buffer.byteLength).toBe(2 * 4);
    expect(t.accNav.buffer.byteLength).toBe(2 * 8);
  });

  it("equals a linear filter for any increasing series and cut", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 20000101, max: 20991231 }), { maxLength: 50 }),
        fc.integer({ min: 19990101, max: 21000101 }),
        (raw, cut) => {
          const dates = [...raw].sort((a, b) => a - b);
          expect([...seriesAsOf(series(dates), cut).dates]).toEqual(dates.filter((d) => d <= cut));
        },
      ),
    );
  });
});

describe("shanghaiToday", () => {
  it("is the calendar day in UTC+8, whatever the server's zone", () => {
    expect(shanghaiToday(new Date("2024-05-06T15:59:59Z"))).toBe("2024-05-06");
    expect(shanghaiToday(new Date("2024-05-06T16:00:00Z"))).toBe("2024-05-07");
    expect(shanghaiToday(new Date("2024-12-31T20:00:00Z"))).toBe("2025-01-01");
  });
});

describe("as_of payloads", () => {
  it("accepts real days only", () => {
    expect(Ymd.safeParse("2024-02-29").success).toBe(true);
    for (const bad of ["2023-02-29", "2024-13-01", "20240229", "2024-2-1", ""]) expect(Ymd.safeParse(bad).success, bad).toBe(false);
  });

  it("is optional on signals_batch and strategy_screen, and validated when given", () => {
    expect(SignalsPayload.parse({ all: true })).toEqual({ all: true });
    expect(SignalsPayload.parse({ all: true, as_of: "2024-06-28" })).toMatchObject({ as_of: "2024-06-28" });
    expect(SignalsPayload.safeParse({ all: true, as_of: "2024-06-31" }).success).toBe(false);
    expect(StrategyPayload.parse({ strategy: "momentum_top_n", as_of: "2024-06-28" })).toMatchObject({ as_of: "2024-06-28" });
    expect(StrategyPayload.safeParse({ strategy: "momentum_top_n", as_of: "yesterday" }).success).toBe(false);
  });
});
