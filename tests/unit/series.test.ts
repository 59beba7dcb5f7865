import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeSeries, encodeSeries, parseYmd, summarize, ymd, type NavSeries } from "@/domain/series";

/** A series without corporate actions whose unit NAV is `nav` (accumulated NAV 0.1 above it: ignored by returns). */
function series(code: string, nav: number[], start = 20240102): NavSeries {
  const dates = Int32Array.from(nav, (_, i) => start + i); // increasing yyyymmdd-like ints are enough here
  return { code, dates, nav: Float64Array.from(nav), accNav: Float64Array.from(nav, (v) => v + 0.1), actions: [] };
}

describe("ymd / parseYmd", () => {
  it("formats and parses days", () => {
    expect(ymd(20241231)).toBe("2024-12-31");
    expect(ymd(20190102)).toBe("2019-01-02");
    expect(parseYmd("2024-12-31")).toBe(20241231);
    expect(parseYmd("2024-02-29")).toBe(20240229);
  });

  it("refuses what is not a day", () => {
    for (const bad of ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "20241231", "2024-1-01", "", "2024-12-31T00:00"])
      expect(() => parseYmd(bad), bad).toThrow(RangeError);
  });

  it("round-trips every day", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1990-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true }), (d) => {
        const s = d.toISOString().slice(0, 10);
        expect(ymd(parseYmd(s))).toBe(s);
      }),
    );
  });
});

describe("encodeSeries / decodeSeries", () => {
  it("round-trips exactly, little-endian", () => {
    const s: NavSeries = {
      code: "000001",
      dates: Int32Array.from([20240102, 20240103, 20240104]),
      nav: Float64Array.from([1, 1.0123, 0.9876]),
      accNav: Float64Array.from([1.5, 1.5123, Number.MIN_VALUE]),
      actions: [
        { date: 20240103, dividend: 0.05, split: 1 },
        { date: 20240104, dividend: 0, split: 2.5 },
      ],
    };
    const e = encodeSeries(s);
    expect(e.dates.byteLength).toBe(12);
    expect(e.nav.byteLength).toBe(24);
    expect(new DataView(e.dates.buffer).getInt32(4, true)).toBe(20240103);
    expect(new DataView(e.nav.buffer).getFloat64(8, true)).toBe(1.0123);
    const d = decodeSeries({ code: s.code, ...e });
    expect(d.code).toBe("000001");
    expect([...d.dates]).toEqual([...s.dates]);
    expect([...d.nav]).toEqual([...s.nav]);
    expect([...d.accNav]).toEqual([...s.accNav]);
    expect(d.actions).toEqual(s.actions);
  });

  it("reads a row stored before actions existed (NULL) as one without actions", () => {
    const e = encodeSeries(series("N", [1, 2]));
    expect(decodeSeries({ code: "N", ...e, actions: null }).actions).toEqual([]);
  });

  it("decodes bytes that sit at an odd offset of a shared buffer (as a pooled Buffer does)", () => {
    const s = series("X", [1, 2, 3, 4.25]);
    const e = encodeSeries(s);
    const shifted = (b: Uint8Array) => {
      const pool = Buffer.alloc(b.byteLength + 3);
      pool.set(b, 3);
      return pool.subarray(3);
    };
    const d = decodeSeries({ code: "X", dates: shifted(e.dates), nav: shifted(e.nav), accNav: shifted(e.accNav), actions: shifted(e.actions) });
    expect([...d.nav]).toEqual([1, 2, 3, 4.25]);
    expect([...d.dates]).toEqual([...s.dates]);
  });

  it("encodes typed arrays that are views into larger buffers", () => {
    const big = new Float64Array([9, 1, 2, 9]);
    const dates = new Int32Array([0, 20240102, 20240103, 0]);
    const s: NavSeries = { code: "V", dates: dates.subarray(1, 3), nav: big.subarray(1, 3), accNav: big.subarray(1, 3), actions: [] };
    const d = decodeSeries({ code: "V", ...encodeSeries(s) });
    expect([...d.nav]).toEqual([1, 2]);
    expect([...d.dates]).toEqual([20240102, 20240103]);
  });

  it("round-trips arbitrary series", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), { maxLength: 300 }), (values) => {
        const s: NavSeries = {
          code: "P",
          dates: Int32Array.from(values, (_, i) => 19900101 + i),
          nav: Float64Array.from(values),
          accNav: Float64Array.from(values).reverse(),
          actions: [],
        };
        const d = decodeSeries({ code: "P", ...encodeSeries(s) });
        expect(Object.is(d.nav.length, values.length)).toBe(true);
        for (let i = 0; i < values.length; i++) {
          expect(Object.is(d.nav[i], values[i])).toBe(true);
          expect(Object.is(d.accNav[i], values[values.length - 1 - i])).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it("refuses mismatched or broken columns", () => {
    const s = series("X", [1, 2, 3]);
    expect(() => encodeSeries({ ...s, nav: new Float64Array(2) })).toThrow(/3 dates but 2 nav/);
    expect(() => encodeSeries({ ...s, dates: Int32Array.from([20240102, 20240102, 20240103]) })).toThrow(/not increasing/);
    const e = encodeSeries(s);
    expect(() => decodeSeries({ code: "X", ...e, nav: e.nav.subarray(0, 7) })).toThrow(/multiple of 8/);
    expect(() => decodeSeries({ code: "X", ...e, nav: e.nav.subarray(0, 16) })).toThrow(/3 dates but 2 nav/);
  });

  it("refuses a NaN, zero or negative NAV and malformed actions: nothing of the kind reaches the maths", () => {
    const s = series("X", [1, 2, 3]);
    expect(() => encodeSeries({ ...s, nav: Float64Array.from([1, Number.NaN, 3]) })).toThrow(/unit NAV on 20240103 is NaN/);
    expect(() => encodeSeries({ ...s, nav: Float64Array.from([1, 0, 3]) })).toThrow(/unit NAV on 20240103 is 0/);
    expect(() => encodeSeries({ ...s, accNav: Float64Array.from([1, 2, -3]) })).toThrow(/accumulated NAV on 20240104 is -3/);
    expect(() => encodeSeries({ ...s, actions: [{ date: 20240103, dividend: -0.1, split: 1 }] })).toThrow(/dividend/);
    expect(() => encodeSeries({ ...s, actions: [{ date: 20240103, dividend: 0, split: 0 }] })).toThrow(/split/);
    expect(() =>
      encodeSeries({
        ...s,
        actions: [
          { date: 20240104, dividend: 0.1, split: 1 },
          { date: 20240103, dividend: 0.1, split: 1 },
        ],
      }),
    ).toThrow(/date order/);
  });
});

describe("summarize", () => {
  it("is empty for an empty series", () => {
    expect(summarize(series("E", []))).toEqual({
      latestDate: null,
      latestNav: null,
      latestAccNav: null,
      latestAdjNav: null,
      return1m: null,
      return3m: null,
      return1y: null,
      points: 0,
    });
  });

  it("takes returns from the adjusted NAV over 21 / 63 / 252 trading days (no actions: the unit NAV)", () => {
    // nav[i] = 1 + i / 100: the last point (i = 299) is 3.99.
    const nav = Array.from({ length: 300 }, (_, i) => 1 + i / 100);
    const s = series("000001", nav);
    s.dates[299] = 20241231;
    const m = summarize(s);
    expect(m.points).toBe(300);
    expect(m.latestDate).toBe("2024-12-31");
    expect(m.latestNav).toBeCloseTo(3.99, 12);
    expect(m.latestAccNav).toBeCloseTo(4.09, 12);
    expect(m.latestAdjNav).toBeCloseTo(3.99, 12);
    expect(m.return1m).toBeCloseTo(3.99 / (1 + 278 / 100) - 1, 12);
    expect(m.return3m).toBeCloseTo(3.99 / (1 + 236 / 100) - 1, 12);
    expect(m.return1y).toBeCloseTo(3.99 / (1 + 47 / 100) - 1, 12);
  });

  it("leaves a return null when the series is too short for it", () => {
    const m = summarize(
      series(
        "S",
        Array.from({ length: 64 }, () => 2),
      ),
    );
    expect(m.return1m).toBe(0);
    expect(m.return3m).toBe(0);
    expect(m.return1y).toBeNull();
    expect(
      summarize(
        series(
          "T",
          Array.from({ length: 21 }, () => 2),
        ),
      ).return1m,
    ).toBeNull();
    expect(
      summarize(
        series(
          "U",
          Array.from({ length: 22 }, () => 2),
        ),
      ).return1m,
    ).toBe(0);
  });

  it("counts a dividend as reinvested: a unit NAV drop by exactly the dividend is no loss", () => {
    const s: NavSeries = {
      code: "D",
      dates: Int32Array.from({ length: 30 }, (_, i) => 20240101 + i),
      nav: Float64Array.from({ length: 30 }, (_, i) => (i < 15 ? 1.5 : 1.2)),
      accNav: Float64Array.from({ length: 30 }, () => 1.8),
      actions: [{ date: 20240116, dividend: 0.3, split: 1 }],
    };
    expect(summarize(s).return1m).toBeCloseTo(0, 12);
    expect(summarize(s).latestNav).toBe(1.2);
    expect(summarize(s).latestAdjNav).toBeCloseTo(1.5, 12);
  });
});
