/**
 * Parsing NAV data from the documented import formats, and merging imported points into a
 * stored series.
 *
 * CSV (file import and HTTP): a header row, then one row per fund and day:
 *   code,date,nav,acc_nav          e.g.  000001,2024-09-19,1.2345,3.4567
 * `code` may be left out for a one-fund HTTP response. Codes stay strings ("000001"), dates
 * are YYYY-MM-DD, acc_nav may be empty (then it equals nav).
 * JSON (HTTP): {"code": "000001", "name"?: "...", "points": [{"date", "nav", "acc_nav"?}]}.
 */
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { parseYmd, type NavSeries } from "./series";
import { csvWhere } from "./csvError";

export interface NavPoint {
  date: number; // yyyymmdd
  nav: number;
  accNav: number;
}

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Num = z.coerce.number().finite().positive();

/** Parses the CSV format into points per code; throws with the line number of the first bad row. */
export function parseNavCsv(text: string, defaultCode?: string): Map<string, NavPoint[]> {
  // No type casting by the parser: "000001" must stay a string; numbers are converted per column below.
  let rows: Record<string, string>[];
  try {
    rows = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as Record<string, string>[];
  } catch (err) {
    throw new Error(`not valid CSV${csvWhere(err)}`);
  }
  const out = new Map<string, NavPoint[]>();
  rows.forEach((r, i) => {
    const code = r.code ?? defaultCode;
    const line = i + 2;
    if (!code || !/^[0-9A-Za-z.]{1,20}$/.test(code)) throw new Error(`line ${line}: missing or invalid code`);
    const date = Day.safeParse(r.date);
    const nav = Num.safeParse(r.nav);
    const acc = r.acc_nav ? Num.safeParse(r.acc_nav) : nav;
    if (!date.success || !nav.success || !acc.success) throw new Error(`line ${line}: expected date YYYY-MM-DD and positive nav/acc_nav`);
    const list = out.get(code) ?? [];
    list.push({ date: parseYmd(date.data), nav: nav.data, accNav: acc.data });
    out.set(code, list);
  });
  return out;
}

const NavJson = z.object({
  code: z
    .string()
    .regex(/^[0-9A-Za-z.]{1,20}$/)
    .optional(),
  name: z.string().max(100).optional(),
  points: z.array(z.object({ date: Day, nav: z.number().positive(), acc_nav: z.number().positive().optional() })).max(100_000),
});

/** Parses the JSON format. */
export function parseNavJson(value: unknown, defaultCode: string): { code: string; name?: string; points: NavPoint[] } {
  const parsed = NavJson.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`not the NAV JSON format: ${first.path.join(".") || "body"}: ${first.message}`);
  }
  const j = parsed.data;
  return {
    code: j.code ?? defaultCode,
    name: j.name,
    points: j.points.map((p) => ({ date: parseYmd(p.date), nav: p.nav, accNav: p.acc_nav ?? p.nav })),
  };
}

/** The stored series with imported points merged in (an imported day replaces the stored one). */
export function mergePoints(code: string, existing: NavSeries | undefined, points: NavPoint[]): NavSeries {
  const byDate = new Map<number, NavPoint>();
  if (existing)
    for (let i = 0; i < existing.dates.length; i++)
      byDate.set(existing.dates[i], { date: existing.dates[i], nav: existing.nav[i], accNav: existing.accNav[i] });
  for (const p of points) byDate.set(p.date, p);
  const sorted = [...byDate.values()].sort((a, b) => a.date - b.date);
  return {
    code,
    dates: Int32Array.from(sorted, (p) => p.date),
    nav: Float64Array.from(sorted, (p) => p.nav),
    accNav: Float64Array.from(sorted, (p) => p.accNav),
  };
}
