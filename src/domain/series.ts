/**
 * Daily NAV / price series: the in-memory form, the binary form stored in `nav_series`
 * (one row per instrument, so loading one fund's five years is one read) and the summary
 * figures kept on `instruments`. Framework-free: used by the worker, the API and scripts.
 *
 * Storage: `dates` Int32 little-endian yyyymmdd, `nav` and `acc_nav` Float64 little-endian.
 * `nav` is the unit NAV of a fund (or the close of an index or stock); `acc_nav` is the
 * accumulated NAV (unit NAV plus all dividends paid per unit), equal to `nav` for indices and
 * stocks. `actions` holds the corporate actions (cash dividends and splits) as Float64
 * little-endian triples (yyyymmdd, dividend, split), sparse since most days have none (NULL for
 * a row stored before actions existed: backfillActions infers them once). Returns are computed from the adjusted NAV (adjusted.ts), never from
 * `acc_nav`, whose ratios understate the return of a fund that has paid dividends.
 */
import type { Db } from "@/db/client";
import { adjustedNav, assertPositive, checkActions, inferDividends, type CorporateAction } from "./adjusted";

export interface NavSeries {
  code: string;
  /** Trading days as yyyymmdd integers, strictly increasing. */
  dates: Int32Array;
  /** Unit NAV (funds) or close (indices, stocks). */
  nav: Float64Array;
  /** Accumulated NAV; equals `nav` for indices and stocks. */
  accNav: Float64Array;
  /** Cash dividends and splits on their ex-dates, in date order (empty for indices and stocks). */
  actions: CorporateAction[];
}

/** The `nav_series` columns of a series. */
export interface EncodedSeries {
  dates: Uint8Array<ArrayBuffer>;
  nav: Uint8Array<ArrayBuffer>;
  accNav: Uint8Array<ArrayBuffer>;
  actions: Uint8Array<ArrayBuffer>;
}

/** What `instruments` keeps about an instrument besides its series. */
export interface SeriesMeta {
  name?: string;
  /** fund | stock | index */
  kind?: string;
  /** funds only: stock | bond | hybrid | index | money */
  fundType?: string | null;
}

/** The figures `instruments` keeps up to date from the series. */
export interface SeriesSummary {
  latestDate: string | null;
  latestNav: number | null;
  latestAccNav: number | null;
  /** The adjusted NAV (dividends reinvested) at the last point. */
  latestAdjNav: number | null;
  return1m: number | null;
  return3m: number | null;
  return1y: number | null;
  points: number;
}

/** Trading days back for the 1-month, 3-month and 1-year returns. */
export const RETURN_WINDOWS = { return1m: 21, return3m: 63, return1y: 252 } as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Rows per query when loading series (each row is ~24 KB for five years). */
const LOAD_CHUNK = 200;

/** 20241231 → "2024-12-31". */
export function ymd(n: number): string {
  const y = Math.floor(n / 10000);
  const m = Math.floor(n / 100) % 100;
  const d = n % 100;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** "2024-12-31" → 20241231; throws a RangeError on anything else (including 2024-02-30). */
export function parseYmd(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(s)}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d)
    throw new RangeError(`no such day: ${s}`);
  return y * 10000 + mo * 100 + d;
}

/**
 * Throws unless the three arrays have the same length, the dates strictly increase, every NAV is
 * a finite number > 0 and the actions are well-formed: nothing else reaches the maths.
 */
export function checkSeries(s: NavSeries): void {
  const n = s.dates.length;
  if (s.nav.length !== n || s.accNav.length !== n)
    throw new RangeError(`series ${s.code}: ${n} dates but ${s.nav.length} nav and ${s.accNav.length} acc_nav values`);
  for (let i = 1; i < n; i++) if (s.dates[i] <= s.dates[i - 1]) throw new RangeError(`series ${s.code}: dates not increasing at ${ymd(s.dates[i])}`);
  assertPositive(s.code, s.dates, s.nav, "unit NAV");
  assertPositive(s.code, s.dates, s.accNav, "accumulated NAV");
  checkActions(s.code, s.actions);
}

/** The actions as stored: Float64 triples (yyyymmdd, dividend, split); empty when there are none (NULL is a row from before actions). */
function encodeActions(actions: readonly CorporateAction[]): Uint8Array<ArrayBuffer> {
  const flat = new Float64Array(actions.length * 3);
  actions.forEach((a, i) => {
    flat[i * 3] = a.date;
    flat[i * 3 + 1] = a.dividend;
    flat[i * 3 + 2] = a.split;
  });
  return toBytes(flat);
}

function decodeActions(bytes: Uint8Array | null, what: string): CorporateAction[] {
  if (!bytes || bytes.byteLength === 0) return [];
  const flat = float64s(bytes, what);
  if (flat.length % 3 !== 0) throw new RangeError(`${what}: ${flat.length} values is not a multiple of 3`);
  const out: CorporateAction[] = [];
  for (let i = 0; i < flat.length; i += 3) out.push({ date: flat[i], dividend: flat[i + 1], split: flat[i + 2] });
  return out;
}

function toBytes(a: Int32Array | Float64Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  if (a instanceof Int32Array) for (let i = 0; i < a.length; i++) view.setInt32(i * 4, a[i], true);
  else for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i], true);
  return out;
}

/** Copies bytes (a Buffer may start at any offset of a shared pool) into an aligned buffer. */
function aligned(bytes: Uint8Array, size: number, what: string): ArrayBuffer {
  if (bytes.byteLength % size !== 0) throw new RangeError(`${what}: ${bytes.byteLength} bytes is not a multiple of ${size}`);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function int32s(bytes: Uint8Array, what: string): Int32Array {
  const buf = aligned(bytes, 4, what);
  if (LITTLE_ENDIAN) return new Int32Array(buf);
  const view = new DataView(buf);
  const out = new Int32Array(buf.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function float64s(bytes: Uint8Array, what: string): Float64Array {
  const buf = aligned(bytes, 8, what);
  if (LITTLE_ENDIAN) return new Float64Array(buf);
  const view = new DataView(buf);
  const out = new Float64Array(buf.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

/** The `nav_series` columns of a series (little-endian whatever the platform). */
export function encodeSeries(s: NavSeries): EncodedSeries {
  checkSeries(s);
  return { dates: toBytes(s.dates), nav: toBytes(s.nav), accNav: toBytes(s.accNav), actions: encodeActions(s.actions) };
}

/** A series from its `nav_series` row; throws when the columns do not fit together. */
export function decodeSeries(row: { code: string; dates: Uint8Array; nav: Uint8Array; accNav: Uint8Array; actions: Uint8Array | null }): NavSeries {
  const s: NavSeries = {
    code: row.code,
    dates: int32s(row.dates, `${row.code}.dates`),
    nav: float64s(row.nav, `${row.code}.nav`),
    accNav: float64s(row.accNav, `${row.code}.acc_nav`),
    actions: decodeActions(row.actions, `${row.code}.actions`),
  };
  checkSeries(s);
  return s;
}

/**
 * Latest point, number of points and the 1m / 3m / 1y returns: adj_t / adj_{t−N} − 1 over
 * N = 21 / 63 / 252 trading days of the adjusted NAV (null when the series has N points or fewer).
 */
export function summarize(s: NavSeries): SeriesSummary {
  const n = s.dates.length;
  if (n === 0)
    return { latestDate: null, latestNav: null, latestAccNav: null, latestAdjNav: null, return1m: null, return3m: null, return1y: null, points: 0 };
  const adj = adjustedNav(s);
  const last = adj[n - 1];
  const back = (days: number): number | null => (n <= days ? null : last / adj[n - 1 - days] - 1);
  return {
    latestDate: ymd(s.dates[n - 1]),
    latestNav: s.nav[n - 1],
    latestAccNav: s.accNav[n - 1],
    latestAdjNav: last,
    return1m: back(RETURN_WINDOWS.return1m),
    return3m: back(RETURN_WINDOWS.return3m),
    return1y: back(RETURN_WINDOWS.return1y),
    points: n,
  };
}

/** The series of `codes` that exist (missing codes are simply absent from the map). */
export async function loadSeries(db: Db, codes: string[]): Promise<Map<string, NavSeries>> {
  const unique = [...new Set(codes)];
  const out = new Map<string, NavSeries>();
  for (let i = 0; i < unique.length; i += LOAD_CHUNK) {
    const rows = await db.navSeries.findMany({
      where: { code: { in: unique.slice(i, i + LOAD_CHUNK) } },
      select: { code: true, dates: true, nav: true, accNav: true, actions: true },
    });
    for (const row of rows) out.set(row.code, decodeSeries(row));
  }
  return out;
}

/**
 * Stores a series (replacing the previous one) and refreshes the instrument's latest_* and
 * return_* columns, in one transaction. An instrument that does not exist yet is created
 * with `meta` (name defaults to the code, kind to "fund").
 */
export async function saveSeries(db: Db, s: NavSeries, meta: SeriesMeta = {}): Promise<void> {
  const bytes = encodeSeries(s);
  const summary = summarize(s);
  const named = {
    ...(meta.name !== undefined ? { name: meta.name } : {}),
    ...(meta.kind !== undefined ? { kind: meta.kind } : {}),
    ...(meta.fundType !== undefined ? { fundType: meta.fundType } : {}),
  };
  await db.$transaction([
    db.navSeries.upsert({ where: { code: s.code }, create: { code: s.code, ...bytes }, update: bytes }),
    db.instrument.upsert({
      where: { code: s.code },
      create: { code: s.code, name: meta.name ?? s.code, kind: meta.kind ?? "fund", fundType: meta.fundType ?? null, ...summary },
      update: { ...named, ...summary },
    }),
  ]);
}

/**
 * Rows stored before corporate actions existed (`actions` NULL) get the dividends their unit
 * and accumulated NAV imply (inferDividends) and fresh summary figures, once: the launcher
 * calls this after migrating. Returns how many series it updated.
 */
export async function backfillActions(db: Db): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await db.navSeries.findMany({
      where: { actions: null },
      select: { code: true, dates: true, nav: true, accNav: true, actions: true },
      take: LOAD_CHUNK,
    });
    if (rows.length === 0) return done;
    for (const row of rows) {
      const s = decodeSeries(row);
      s.actions = inferDividends(s.dates, s.nav, s.accNav);
      await saveSeries(db, s);
      done++;
    }
  }
}
