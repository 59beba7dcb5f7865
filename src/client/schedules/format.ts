/** Display helpers for schedules. */
import type { Dict } from "../i18n/zh";

/** A timestamp in the viewer's locale but in the time zone `zone` ("—" when it cannot be shown). */
export function formatInZone(iso: string | null | undefined, lang: "zh" | "en", zone: string): string {
  if (!iso) return "—";
  try {
    return new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false, timeZone: zone });
  } catch {
    return "—";
  }
}

/** "每 5 分钟", "每 90 秒", "每 2 天": the largest unit that divides the interval. */
export function describeInterval(seconds: number, t: Dict): string {
  if (seconds % 86_400 === 0) return t.schedules.every(seconds / 86_400, t.schedules.units.d);
  if (seconds % 3_600 === 0) return t.schedules.every(seconds / 3_600, t.schedules.units.h);
  if (seconds % 60 === 0) return t.schedules.every(seconds / 60, t.schedules.units.m);
  return t.schedules.every(seconds, t.schedules.units.s);
}

/** The viewer's own time zone. */
export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return "UTC";
  }
}

/** Time zones offered in the form (any IANA name can be typed). */
export const COMMON_ZONES = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Taipei",
  "Asia/Tokyo",
  "Asia/Singapore",
  "Europe/London",
  "Europe/Berlin",
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "UTC",
];
