import { describe, expect, it } from "vitest";
import { isTradingDay, tradingDaysBetween } from "@/domain/calendar";
import { MISFIRE_GRACE_MS, nextSlot, nextSlots, planFire, validateTiming, type Timing } from "@/schedule/timing";

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("next fire times", () => {
  it("follows a cron expression in its time zone (15:30 Shanghai = 07:30 UTC)", () => {
    const t: Timing = { kind: "cron", cron: "30 15 * * 1-5", timezone: "Asia/Shanghai" };
    expect(nextSlots(t, new Date("2026-11-20T08:00:00Z"), 3).map(iso)).toEqual([
      "2026-11-23T07:30:00.000Z",
      "2026-11-24T07:30:00.000Z",
      "2026-11-25T07:30:00.000Z",
    ]);
  });

  it("keeps wall-clock time across a DST change (New York, 2026-03-08)", () => {
    const t: Timing = { kind: "cron", cron: "0 9 * * *", timezone: "America/New_York" };
    // 09:00 EST = 14:00 UTC before the change, 09:00 EDT = 13:00 UTC after it.
    expect(nextSlots(t, new Date("2026-03-07T00:00:00Z"), 3).map(iso)).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
  });

  it("handles month ends (the 31st skips short months)", () => {
    const t: Timing = { kind: "cron", cron: "0 0 31 * *", timezone: "UTC" };
    expect(nextSlots(t, new Date("2026-01-31T12:00:00Z"), 2).map(iso)).toEqual(["2026-03-31T00:00:00.000Z", "2026-05-31T00:00:00.000Z"]);
    const last: Timing = { kind: "cron", cron: "0 0 L * *", timezone: "UTC" };
    expect(iso(nextSlot(last, new Date("2028-02-01T00:00:00Z")))).toBe("2028-02-29T00:00:00.000Z");
  });

  it("counts interval slots from the anchor, and fires a one-time schedule once", () => {
    const t: Timing = { kind: "interval", intervalSeconds: 3600, timezone: "UTC", runAt: new Date("2026-01-01T00:10:00Z") };
    expect(iso(nextSlot(t, new Date("2026-01-01T05:20:00Z")))).toBe("2026-01-01T06:10:00.000Z");
    expect(iso(nextSlot(t, new Date("2026-01-01T06:10:00Z")))).toBe("2026-01-01T07:10:00.000Z");
    const once: Timing = { kind: "once", runAt: new Date("2026-05-01T00:00:00Z"), timezone: "UTC" };
    expect(iso(nextSlot(once, new Date("2026-04-01T00:00:00Z")))).toBe("2026-05-01T00:00:00.000Z");
    expect(nextSlot(once, new Date("2026-05-01T00:00:00Z"))).toBeNull();
  });

  it("skips weekends and public holidays for trading-day schedules (National Day 2026)", () => {
    expect(isTradingDay(new Date("2026-10-01T07:30:00Z"))).toBe(false); // holiday
    expect(isTradingDay(new Date("2026-10-10T07:30:00Z"))).toBe(false); // Saturday make-up workday: exchanges closed
    expect(isTradingDay(new Date("2026-10-12T07:30:00Z"))).toBe(true);
    const t: Timing = { kind: "cron", cron: "30 15 * * *", timezone: "Asia/Shanghai", tradingDaysOnly: true };
    expect(iso(nextSlot(t, new Date("2026-09-30T08:00:00Z")))).toBe("2026-10-08T07:30:00.000Z"); // holiday Oct 1–7
  });

  it("rejects bad timings with a reason", () => {
    expect(() => validateTiming({ kind: "cron", cron: "61 * * * *", timezone: "UTC" })).toThrow(/invalid cron/);
    expect(() => validateTiming({ kind: "cron", cron: "* * * * *", timezone: "Mars/Olympus" })).toThrow(/time zone/);
    expect(() => validateTiming({ kind: "interval", timezone: "UTC" })).toThrow(/interval_seconds/);
    expect(() => validateTiming({ kind: "once", timezone: "UTC" })).toThrow(/run_at/);
  });
});

describe("misfire policy (fake clock)", () => {
  const hourly: Timing = { kind: "cron", cron: "0 * * * *", timezone: "UTC" };
  const due = new Date("2026-01-01T10:00:00Z");

  it("fires an on-time slot", () => {
    const plan = planFire(hourly, due, new Date(due.getTime() + 500), "skip");
    expect(plan).toEqual({ fire: due, skipped: 0, next: new Date("2026-01-01T11:00:00Z") });
  });

  it("after downtime, skip fires nothing and run_once fires the latest slot once", () => {
    const now = new Date("2026-01-01T13:20:00Z"); // 10:00, 11:00, 12:00, 13:00 missed
    expect(planFire(hourly, due, now, "skip")).toEqual({ fire: null, skipped: 4, next: new Date("2026-01-01T14:00:00Z") });
    expect(planFire(hourly, due, now, "run_once")).toEqual({
      fire: new Date("2026-01-01T13:00:00Z"),
      skipped: 3,
      next: new Date("2026-01-01T14:00:00Z"),
    });
  });

  it("treats a single slot older than the grace period as missed", () => {
    const late = new Date(due.getTime() + MISFIRE_GRACE_MS + 1);
    expect(planFire(hourly, due, late, "skip").fire).toBeNull();
    expect(planFire(hourly, due, late, "run_once").fire).toEqual(due);
  });
});

describe("after_close and trading-day ranges", () => {
  it("fires the given minutes after the 15:00 Shanghai close, on trading days only", () => {
    const t = { kind: "after_close" as const, timezone: "UTC", afterCloseMinutes: 90 };
    // Wednesday 2026-09-30 16:00 Shanghai: the next is 16:30 that day, then the National Day holiday (Oct 1–7) is skipped.
    const slots = nextSlots(t, new Date("2026-09-30T08:00:00Z"), 3).map((d) => d.toISOString());
    expect(slots).toEqual(["2026-09-30T08:30:00.000Z", "2026-10-08T08:30:00.000Z", "2026-10-09T08:30:00.000Z"]);
    expect(() => validateTiming({ ...t, afterCloseMinutes: 540 })).toThrow(/between 0 and 539/);
    expect(() => validateTiming({ ...t, afterCloseMinutes: null })).toThrow(/after_close_minutes/);
  });

  it("lists the trading days of a range (weekends and holidays out)", () => {
    expect(tradingDaysBetween("2024-09-27", "2024-10-09")).toEqual(["2024-09-27", "2024-09-30", "2024-10-08", "2024-10-09"]);
    expect(tradingDaysBetween("2024-10-01", "2024-10-07")).toEqual([]);
    expect(tradingDaysBetween("2024-01-01", "2024-12-31", 5)).toHaveLength(5);
  });
});
