/**
 * The mainland China market calendar: trading days (weekdays that are not public holidays, from
 * the chinese-days package, which covers 2004–2026; later years count weekdays only), the 15:00
 * Shanghai close, and today's date on the market's clock.
 */
import chineseDays from "chinese-days";

/** The mainland market closes at 15:00 Shanghai time; after_close slots count from there. */
export const MARKET_CLOSE = { hour: 15, minute: 0, timezone: "Asia/Shanghai" } as const;
/** An after_close offset must stay on the same day (15:00 + 539 min = 23:59). */
export const MAX_AFTER_CLOSE_MINUTES = 539;

const weekdayFmt = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) and weekday (0 = Sunday) of `d` in `tz`. */
function localDay(d: Date, tz: string): { date: string; weekday: number } {
  let f = weekdayFmt.get(tz);
  if (!f)
    weekdayFmt.set(tz, (f = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short" })));
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday) };
}

/**
 * A mainland China trading day: a weekday that is not a public holiday (chinese-days covers
 * 2004–2026; later years count weekdays only). Make-up working days on weekends are not
 * trading days: the exchanges stay closed.
 */
export function isTradingDay(d: Date, tz = "Asia/Shanghai"): boolean {
  const { date, weekday } = localDay(d, tz);
  if (weekday === 0 || weekday === 6) return false;
  try {
    return !chineseDays.isHoliday(date);
  } catch {
    return true;
  }
}

/** The mainland trading days from `from` to `to` (YYYY-MM-DD, inclusive), at most `limit`. */
export function tradingDaysBetween(from: string, to: string, limit = 1000): string[] {
  const out: string[] = [];
  // Noon in Shanghai stays on the same calendar day whatever the host's zone.
  for (let d = new Date(`${from}T12:00:00+08:00`); out.length < limit; d = new Date(d.getTime() + 86_400_000)) {
    const day = localDay(d, "Asia/Shanghai").date;
    if (day > to) break;
    if (isTradingDay(d)) out.push(day);
  }
  return out;
}

/** Today's date (YYYY-MM-DD) in Shanghai. */
export function shanghaiToday(now = new Date()): string {
  return localDay(now, "Asia/Shanghai").date;
}

/**
 * Midnight of `now`'s day in time zone `tz` (the dashboard's 今日 figures, an alert rule's
 * time-of-day deadline, the trends' days): the date's 00:00 less the offset in force at
 * midnight — which can differ from the offset at `now` on a day the clocks change (New York's
 * 8 March starts at UTC-5 and is at UTC-4 by noon), hence the second step.
 */
export function startOfDay(tz: string, now = new Date()): Date {
  const p = wallParts(tz, now.getTime());
  const date = Date.UTC(+p.year, +p.month - 1, +p.day);
  const first = date - zoneOffset(tz, now.getTime());
  return new Date(date - zoneOffset(tz, first));
}

const WALL = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of `ms` in `tz`. */
function wallParts(tz: string, ms: number): Record<string, string> {
  let f = WALL.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    WALL.set(tz, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
}

/** The offset of `tz` from UTC at `ms` (wall clock minus UTC), in ms. */
function zoneOffset(tz: string, ms: number): number {
  const p = wallParts(tz, ms);
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - Math.floor(ms / 1000) * 1000;
}
