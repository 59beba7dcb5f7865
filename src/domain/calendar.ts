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

/** Midnight of `now`'s day in time zone `tz` (the dashboard's 今日 figures, an alert rule's time-of-day deadline). */
export function startOfDay(tz: string, now = new Date()): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offset = wall - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day) - offset);
}
