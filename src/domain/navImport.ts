/**
 * Parsing NAV data from the documented import formats, and merging imported points into a
 * stored series.
 *
 * CSV (file import and HTTP): a header row, then one row per fund and day:
 *   code,date,nav,acc_nav,dividend,split     e.g.  000001,2024-09-19,1.2345,3.4567,0.05,
 * `code` may be left out for a one-fund HTTP response. Codes stay strings ("000001"), dates
 * are YYYY-MM-DD, acc_nav may be empty (then it equals nav). `dividend` (cash per unit, on
 * its ex-date) and `split` (new units per old unit) are optional columns, empty when none.
 * JSON (HTTP): {"code": "000001", "name"?: "...", "points": [{"date", "nav", "acc_nav"?,
 * "dividend"?, "split"?}]}.
 *
 * A source that gives actions (a `dividend` or `split` column, or either field on any JSON
 * point) is taken at its word for the days it sends. A source that gives none has its
 * dividends inferred from unit and accumulated NAV (adjusted.ts inferDividends).
 */
import { parse } from "csv-parse/sync";
import { z } from "zod";
import { parseYmd, type NavSeries } from "./series";
import { csvWhere } from "./csvError";
import { inferDividends, isEmptyAction, type CorporateAction } from "./adjusted";

export interface NavPoint {
  date: number; // yyyymmdd
  nav: number;
  accNav: number;
  /** Cash dividend per unit with this day as ex-date (0 or absent: none). */
  dividend?: number;
  /** New units per old unit on this day (1 or absent: none). */
  split?: number;
}

/** Points of one source, and whether it gave corporate actions at all. */
export interface NavPoints {
  points: NavPoint[];
  /** True when the source had `dividend`/`split` columns or fields; false: infer dividends. */
  hasActions: boolean;
}

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Num = z.coerce.number().finite().positive();
const Dividend = z.coerce.number().finite().min(0);

/**
 * Parses the CSV format into points per code; throws with the line number and the reason of
 * the first bad row. `hasActions` says whether the header had a dividend or split column.
 */
export function parseNavCsv(text: string, defaultCode?: string): { byCode: Map<string, NavPoint[]>; hasActions: boolean } {
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
  const hasActions = rows.length > 0 && ("dividend" in rows[0] || "split" in rows[0]);
  rows.forEach((r, i) => {
    const code = r.code ?? defaultCode;
    const line = i + 2;
    if (!code || !/^[0-9A-Za-z.]{1,20}$/.test(code)) throw new Error(`line ${line}: missing or invalid code`);
    const date = Day.safeParse(r.date);
    const nav = Num.safeParse(r.nav);
    const acc = r.acc_nav ? Num.safeParse(r.acc_nav) : nav;
    if (!date.success || !nav.success || !acc.success) throw new Error(`line ${line}: expected date YYYY-MM-DD and positive nav/acc_nav`);
    const dividend = r.dividend ? Dividend.safeParse(r.dividend) : null;
    if (dividend && !dividend.success)
      throw new Error(`line ${line}: dividend must be a number ≥ 0 (cash per unit), got ${JSON.stringify(r.dividend)}`);
    const split = r.split ? Num.safeParse(r.split) : null;
    if (split && !split.success) throw new Error(`line ${line}: split must be a number > 0 (new units per old unit), got ${JSON.stringify(r.split)}`);
    const list = out.get(code) ?? [];
    list.push({
      date: parseYmd(date.data),
      nav: nav.data,
      accNav: acc.data,
      ...(dividend ? { dividend: dividend.data } : {}),
      ...(split ? { split: split.data } : {}),
    });
    out.set(code, list);
  });
  return { byCode: out, hasActions };
}

const NavJson = z.object({
  code: z
    .string()
    .regex(/^[0-9A-Za-z.]{1,20}$/)
    .optional(),
  name: z.string().max(100).optional(),
  points: z
    .array(
      z.object({
        date: Day,
        nav: z.number().positive(),
        acc_nav: z.number().positive().optional(),
        dividend: z.number().min(0).nullable().optional(),
        split: z.number().positive().nullable().optional(),
      }),
    )
    .max(100_000),
});

/** Parses the JSON format; `hasActions` when any point has a dividend or split field. */
export function parseNavJson(value: unknown, defaultCode: string): { code: string; name?: string } & NavPoints {
  const parsed = NavJson.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`not the NAV JSON format: ${first.path.join(".") || "body"}: ${first.message}`);
  }
  const j = parsed.data;
  return {
    code: j.code ?? defaultCode,
    name: j.name,
    points: j.points.map((p) => ({
      date: parseYmd(p.date),
      nav: p.nav,
      accNav: p.acc_nav ?? p.nav,
      ...(p.dividend != null ? { dividend: p.dividend } : {}),
      ...(p.split != null ? { split: p.split } : {}),
    })),
    hasActions: j.points.some((p) => "dividend" in p || "split" in p),
  };
}

/**
 * The stored series with imported points merged in: an imported day replaces the stored one,
 * and its corporate action too. With `hasActions` the points' own dividend/split are the
 * actions of the imported days; without, each imported day's dividend is inferred against the
 * day before it in the merged series.
 */
export function mergePoints(code: string, existing: NavSeries | undefined, points: NavPoint[], hasActions = false): NavSeries {
  const byDate = new Map<number, NavPoint>();
  const actions = new Map<number, CorporateAction>();
  if (existing) {
    for (let i = 0; i < existing.dates.length; i++)
      byDate.set(existing.dates[i], { date: existing.dates[i], nav: existing.nav[i], accNav: existing.accNav[i] });
    for (const a of existing.actions) actions.set(a.date, a);
  }
  const imported = new Set<number>();
  for (const p of points) {
    byDate.set(p.date, p);
    imported.add(p.date);
    actions.delete(p.date);
    const a = { date: p.date, dividend: p.dividend ?? 0, split: p.split ?? 1 };
    if (hasActions && !isEmptyAction(a)) actions.set(p.date, a);
  }
  const sorted = [...byDate.values()].sort((a, b) => a.date - b.date);
  const dates = Int32Array.from(sorted, (p) => p.date);
  const nav = Float64Array.from(sorted, (p) => p.nav);
  const accNav = Float64Array.from(sorted, (p) => p.accNav);
  if (!hasActions && imported.size > 0) {
    const first = dates.findIndex((d) => imported.has(d));
    for (const a of inferDividends(dates, nav, accNav, first)) if (imported.has(a.date)) actions.set(a.date, a);
  }
  return { code, dates, nav, accNav, actions: [...actions.values()].sort((a, b) => a.date - b.date) };
}
