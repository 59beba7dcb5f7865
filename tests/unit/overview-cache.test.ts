import { describe, expect, it } from "vitest";
import { AGGREGATE_MAX_AGE_MS, aggregateMaxAgeMs } from "@/server/overview";

describe("the overview's aggregate cache", () => {
  it("refreshes every 2 s while a refresh is cheap", () => {
    expect(aggregateMaxAgeMs(0)).toBe(AGGREGATE_MAX_AGE_MS);
    expect(aggregateMaxAgeMs(60)).toBe(2_000);
    expect(aggregateMaxAgeMs(100)).toBe(2_000);
  });

  it("waits twenty times as long as the last refresh took when that is longer", () => {
    expect(aggregateMaxAgeMs(300)).toBe(6_000);
    expect(aggregateMaxAgeMs(1_500)).toBe(30_000);
  });
});
