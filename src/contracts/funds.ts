/**
 * Fund / NAV schemas: the query strings of `GET /api/funds` and `GET /api/funds/{code}/nav`
 * and the JSON they answer with. Codes are strings ("000001" keeps its zeros; indices and
 * stocks carry an exchange suffix, "000300.SH"). Returns are fractions (0.05 = 5 %).
 */
import { z } from "zod";
import { endpoint, NumberedPage } from "./endpoint";

export const INSTRUMENT_KINDS = ["fund", "stock", "index"] as const;
export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number];
export const FUND_TYPES = ["stock", "bond", "hybrid", "index", "money"] as const;
export type FundType = (typeof FUND_TYPES)[number];
export const FUND_SORTS = ["code", "name", "return_1m", "return_3m", "return_1y"] as const;
export type FundSort = (typeof FUND_SORTS)[number];

/** An empty query value (`?type=`) counts as absent. */
const blankable = <T extends z.ZodType<string>>(s: T) =>
  z
    .union([z.literal(""), s])
    .optional()
    .transform((v) => (v === "" ? undefined : (v as z.output<T> | undefined)));

/** A YYYY-MM-DD day that exists. */
export const DayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, "no such day");

/** A fund or instrument code in a payload: kept a string ("000001" is not 1). */
export const FundCode = z.string().regex(/^[0-9A-Za-z.]{1,20}$/, "a fund code such as 000001");

/** A calendar day as YYYY-MM-DD that exists (2024-02-30 is refused, not rolled over). */
export const Ymd = z.string().refine((s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return t.getUTCFullYear() === Number(m[1]) && t.getUTCMonth() === Number(m[2]) - 1 && t.getUTCDate() === Number(m[3]);
}, "a date as YYYY-MM-DD");

/** An instrument code in a path: letters, digits and dots (e.g. 000001, 000300.SH); matched upper-cased. */
export const CodeParam = z
  .string()
  .regex(/^[0-9A-Za-z.]{1,20}$/, "must be an instrument code (letters, digits and dots)")
  .transform((s) => s.toUpperCase());

/** `GET /api/funds`. */
export const FundListQuery = z
  .object({
    /** Code prefix or part of the name (LIKE wildcards are refused: Prisma does not escape them on SQLite). */
    q: blankable(
      z
        .string()
        .trim()
        .max(100)
        .regex(/^[^%_\\]*$/, "must not contain %, _ or \\"),
    ),
    type: blankable(z.enum(FUND_TYPES)),
    kind: blankable(z.enum(INSTRUMENT_KINDS)).transform((v) => v ?? "fund"),
    page: z.coerce.number().int().min(1).max(1_000_000).default(1),
    page_size: z.coerce.number().int().min(1).max(200).default(50),
    sort: blankable(z.enum(FUND_SORTS)).transform((v) => v ?? "code"),
    order: blankable(z.enum(["asc", "desc"])).transform((v) => v ?? "asc"),
  })
  .strict();
export type FundListQuery = z.output<typeof FundListQuery>;

/** An instrument in lists. */
export const FundJson = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(INSTRUMENT_KINDS),
  fund_type: z.enum(FUND_TYPES).nullable(),
  latest_date: z.string().nullable(),
  latest_nav: z.number().nullable(),
  latest_acc_nav: z.number().nullable(),
  /** Adjusted NAV (后复权: dividends reinvested, splits undone), the basis of every return. */
  latest_adj_nav: z.number().nullable(),
  return_1m: z.number().nullable(),
  return_3m: z.number().nullable(),
  return_1y: z.number().nullable(),
});
export type FundJson = z.infer<typeof FundJson>;

export const FundPage = NumberedPage(FundJson);
export type FundPage = z.infer<typeof FundPage>;

/** `GET /api/funds/{code}/nav`: an optional date range, both ends included. */
export const NavQuery = z
  .object({
    from: blankable(DayString),
    to: blankable(DayString),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: "from must not be after to", path: ["from"] });
export type NavQuery = z.output<typeof NavQuery>;

/** One day: unit NAV (close), accumulated NAV and adjusted NAV (chained from the series' first day, whatever the from/to). */
export const NavPointJson = z.object({ date: z.string(), nav: z.number(), acc_nav: z.number(), adj_nav: z.number() });
/** A cash dividend (per unit held before the ex-date) or a split (new units per old unit) on its ex-date. */
export const CorporateActionJson = z.object({ date: z.string(), dividend: z.number(), split: z.number() });
export const NavJson = z.object({
  code: z.string(),
  name: z.string(),
  points: z.array(NavPointJson),
  /** The corporate actions within the range, in date order. */
  actions: z.array(CorporateActionJson),
});
export type NavJson = z.infer<typeof NavJson>;

export const listFunds = endpoint({
  method: "GET",
  path: "/api/funds",
  role: "viewer",
  tag: "funds",
  summary: "Funds (or kind=index|stock) with latest NAV and 1m/3m/1y returns, page-numbered; q = code prefix or part of the name",
  query: FundListQuery,
  response: FundPage,
});

export const fundNav = endpoint({
  method: "GET",
  path: "/api/funds/{code}/nav",
  role: "viewer",
  tag: "funds",
  summary:
    "Daily unit NAV (close for indices and stocks), accumulated and adjusted NAV, and the dividends and splits, optionally from/to (YYYY-MM-DD)",
  params: z.object({ code: CodeParam }),
  query: NavQuery,
  response: NavJson,
});
