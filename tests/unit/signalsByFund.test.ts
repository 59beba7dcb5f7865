import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mergeSignalPage, type FundSignal, type SignalsByFund } from "@/client/sniffer/signalsByFund";

const sig = (name: string, direction: FundSignal["direction"], value = 1): FundSignal => ({ name, direction, date: "2026-11-20", value });
const p1 = [
  { fund_code: "000001", signals: [sig("rsi", "buy")] },
  { fund_code: "000002", signals: [sig("rsi", "neutral")] },
];
const p2 = [{ fund_code: "110011", signals: [sig("macd_cross", "sell")] }];

describe("signalsByFund", () => {
  it("merges pages into one map by fund code (codes stay strings)", () => {
    const m = mergeSignalPage(mergeSignalPage({}, p1), p2);
    expect(Object.keys(m).sort()).toEqual(["000001", "000002", "110011"]);
    expect(m["000001"][0].direction).toBe("buy");
  });

  it("gives the same map whatever order pages arrive in", () => {
    expect(mergeSignalPage(mergeSignalPage({}, p2), p1)).toEqual(mergeSignalPage(mergeSignalPage({}, p1), p2));
  });

  it("returns the same object for a repeated or empty page", () => {
    const m = mergeSignalPage({}, p1);
    expect(mergeSignalPage(m, p1)).toBe(m);
    expect(mergeSignalPage(m, [])).toBe(m);
  });

  it("takes a newer value for a fund when it changed", () => {
    const m = mergeSignalPage({}, p1);
    const n = mergeSignalPage(m, [{ fund_code: "000001", signals: [sig("rsi", "sell")] }]);
    expect(n).not.toBe(m);
    expect(n["000001"][0].direction).toBe("sell");
    expect(m["000001"][0].direction).toBe("buy"); // the previous map is untouched
  });

  it("is order-independent and idempotent for any sequence of pages (property)", () => {
    const item = fc.record({
      fund_code: fc.constantFrom("000001", "000002", "110011", "161725"),
      signals: fc.constant([sig("momentum", "buy", 0.1)]),
    });
    fc.assert(
      fc.property(fc.array(fc.array(item, { maxLength: 5 }), { maxLength: 8 }), (pages) => {
        const forward = pages.reduce<SignalsByFund>((m, p) => mergeSignalPage(m, p), {});
        const backward = [...pages].reverse().reduce<SignalsByFund>((m, p) => mergeSignalPage(m, p), {});
        const twice = [...pages, ...pages].reduce<SignalsByFund>((m, p) => mergeSignalPage(m, p), {});
        expect(Object.keys(backward).sort()).toEqual(Object.keys(forward).sort());
        expect(twice).toEqual(forward);
      }),
    );
  });
});
