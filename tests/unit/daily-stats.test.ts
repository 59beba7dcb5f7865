/** The daily roll-up's arithmetic (src/queue/dailyStats.ts) and its days (src/schedule/dayClock.ts). */
import { describe, expect, it } from "vitest";
import { bucketEdge, bucketOf, emptyCell, groupRuns, histPercentile, mergeCell } from "@/queue/dailyStats";
import { dayClock } from "@/schedule/dayClock";

describe("histogram", () => {
  it("buckets: 0–1 ms in bucket 0, then (2^((k-1)/16), 2^(k/16)]; exact powers of two stay in their own bucket", () => {
    expect([0, -5, 1, 0.5].map(bucketOf)).toEqual([0, 0, 0, 0]);
    expect(bucketOf(2)).toBe(16);
    expect(bucketOf(2.0001)).toBe(17);
    expect(bucketOf(1024)).toBe(160);
    for (const v of [3, 77, 999, 12_345, 86_400_000]) {
      const k = bucketOf(v);
      expect(bucketEdge(k - 1)).toBeLessThan(v);
      expect(bucketEdge(k)).toBeGreaterThanOrEqual(v);
      expect(bucketEdge(k) / bucketEdge(k - 1)).toBeCloseTo(2 ** (1 / 16), 12);
    }
  });

  it("percentiles: nearest rank, reported as the upper edge of the rank's bucket, rounded", () => {
    const h: Record<string, number> = {};
    for (const v of [100, 200, 300, 400, 1000]) h[bucketOf(v)] = (h[bucketOf(v)] ?? 0) + 1;
    expect(histPercentile(h, 50)).toBe(304);
    expect(histPercentile(h, 95)).toBe(1024);
    expect(histPercentile(h, 0)).toBe(103);
    expect(histPercentile({}, 50)).toBeNull();
  });

  it("merging cells adds counts and buckets; grouping puts each run on its finish day", () => {
    const clock = dayClock("Asia/Shanghai");
    const at = (iso: string) => new Date(iso);
    const runs = [
      {
        type: "a",
        queue: "q",
        status: "succeeded",
        startedAt: at("2026-03-01T15:59:59Z"),
        finishedAt: at("2026-03-01T15:59:59.500Z"),
        durationMs: 500,
        dueAt: at("2026-03-01T15:59:58Z"),
      },
      // 16:00 UTC is midnight in Shanghai: the next day.
      {
        type: "a",
        queue: "q",
        status: "failed",
        startedAt: at("2026-03-01T15:59:00Z"),
        finishedAt: at("2026-03-01T16:00:00Z"),
        durationMs: 60_000,
        dueAt: null,
      },
    ];
    const cells = groupRuns(runs, clock);
    expect([...cells.keys()]).toEqual(["2026-03-01|a|q", "2026-03-02|a|q"]);
    const first = cells.get("2026-03-01|a|q")!;
    expect(first).toEqual({ runs: 1, outcomes: { succeeded: 1 }, duration: { [bucketOf(500)]: 1 }, wait: { [bucketOf(1000)]: 1 } });
    const both = mergeCell(mergeCell(emptyCell(), first), cells.get("2026-03-02|a|q")!);
    expect(both.runs).toBe(2);
    expect(both.outcomes).toEqual({ succeeded: 1, failed: 1 });
    // A failed run has no duration sample; a run that is not its task's latest, no wait.
    expect(both.duration).toEqual(first.duration);
    expect(both.wait).toEqual(first.wait);
  });
});

describe("dayClock", () => {
  it("finds days and their starts across a change of the clocks", () => {
    const ny = dayClock("America/New_York");
    // 2026-03-08 is 23 hours long in New York (clocks go forward at 02:00).
    const start = ny.startOf("2026-03-08");
    expect(new Date(start).toISOString()).toBe("2026-03-08T05:00:00.000Z");
    expect(new Date(ny.startOf("2026-03-09")).toISOString()).toBe("2026-03-09T04:00:00.000Z");
    expect(ny.dayOf(start - 1)).toBe("2026-03-07");
    expect(ny.dayOf(start + 22.99 * 3_600_000)).toBe("2026-03-08");
    expect(ny.dayOf(start + 23 * 3_600_000)).toBe("2026-03-09");
    const sh = dayClock("Asia/Shanghai");
    expect(new Date(sh.startOf("2026-12-06")).toISOString()).toBe("2026-12-05T16:00:00.000Z");
    expect(dayClock("Pacific/Kiritimati").dayOf(Date.parse("2026-12-05T10:00:00Z"))).toBe("2026-12-06");
    expect(new Date(dayClock("Pacific/Kiritimati").startOf("2026-12-06")).toISOString()).toBe("2026-12-05T10:00:00.000Z");
  });
});
