/**
 * The dashboard's days (QTASK_TIMEZONE, default Asia/Shanghai) as the daily roll-up counts
 * them: the day of an instant, and when a day starts. Days are found once and remembered, so
 * the roll-up can place a day's worth of runs without a time-zone lookup per run.
 */
import { startOfDay } from "@/domain/calendar";
import type { DayClock } from "@/queue/dailyStats";

/** The time zone of the dashboard's days. */
export function statsTimeZone(): string {
  return process.env.QTASK_TIMEZONE || "Asia/Shanghai";
}

/** A DayClock of `tz`. */
export function dayClock(tz = statsTimeZone()): DayClock {
  const key = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  // Remembered day spans [start, end) with their key, newest last.
  const spans: { start: number; end: number; day: string }[] = [];
  const startOfKey = new Map<string, number>();
  const span = (ms: number) => {
    for (let i = spans.length - 1; i >= 0 && i >= spans.length - 8; i--) if (ms >= spans[i].start && ms < spans[i].end) return spans[i];
    const start = startOfDay(tz, new Date(ms)).getTime();
    // The next day's start: a day is 23 to 25 hours across a change of the clocks.
    const end = startOfDay(tz, new Date(start + 26 * 3_600_000)).getTime();
    const s = { start, end, day: key.format(new Date(ms)) };
    spans.push(s);
    if (spans.length > 64) spans.shift();
    startOfKey.set(s.day, start);
    return s;
  };
  return {
    dayOf: (ms) => span(ms).day,
    startOf(day) {
      const known = startOfKey.get(day);
      if (known !== undefined) return known;
      const [y, m, d] = day.split("-").map(Number);
      // Noon UTC of that date is within the day from UTC-11 to UTC+11; further out, a step back
      // or forward finds it.
      const noon = Date.UTC(y, m - 1, d, 12);
      for (const ms of [noon, noon - 12 * 3_600_000, noon + 12 * 3_600_000]) {
        const s = span(ms);
        if (s.day === day) return s.start;
      }
      throw new Error(`no day ${day} in ${tz}`);
    },
  };
}
