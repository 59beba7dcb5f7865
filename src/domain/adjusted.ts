/**
 * Corporate actions and the adjusted (后复权, dividends reinvested) NAV every return is
 * computed from (pure maths: no database, no I/O).
 *
 * A fund's published unit NAV drops on each dividend's ex-date and on a split (拆分/折算); the
 * accumulated NAV (累计净值 = unit NAV + dividends paid per unit so far) adds dividends back
 * but does not reinvest them, so ratios of it understate every return once a fund has paid
 * out. The adjusted series chains the daily total returns
 *
 *     r_t = (nav_t · split_t + div_t) / nav_{t−1} − 1
 *
 * from adj_0 = nav_0, where div_t is the cash dividend per unit held before the ex-date and
 * split_t the number of new units per old unit (1 when none). So adj_t / adj_s − 1 is what an
 * investor who reinvested every dividend at that day's NAV made from s to t, and adj = nav for
 * a series without actions (indices, stocks, funds that never paid).
 */

/** One corporate action, on its ex-date. */
export interface CorporateAction {
  /** Ex-date as yyyymmdd. */
  date: number;
  /** Cash dividend per unit held before the ex-date (0 when none). */
  dividend: number;
  /** New units per old unit (1 when none; 2 = each unit became two). */
  split: number;
}

/** The parts of a series the adjusted NAV needs. */
export interface ActionSeries {
  code: string;
  dates: ArrayLike<number>;
  nav: ArrayLike<number>;
  actions: readonly CorporateAction[];
}

/**
 * The largest accumulated-minus-unit NAV change that is rounding, not a dividend. Published
 * NAVs have four decimals, so each of the four values in (acc_t − acc_{t−1}) − (nav_t − nav_{t−1})
 * is off by up to 0.00005 and the difference by up to 0.0002.
 */
export const DIVIDEND_TOLERANCE = 0.0002;

const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** Throws a RangeError naming the series and the day unless every value is finite and > 0. */
export function assertPositive(code: string, dates: ArrayLike<number>, values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v > 0) || !Number.isFinite(v))
      throw new RangeError(`series ${code}: ${what} on ${dates[i] ?? `point ${i}`} is ${v}; must be a finite number > 0`);
  }
}

/** Throws a RangeError unless the actions are sorted, one per date, with dividend ≥ 0 and split > 0 (all finite). */
export function checkActions(code: string, actions: readonly CorporateAction[]): void {
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i];
    if (!(a.dividend >= 0) || !Number.isFinite(a.dividend))
      throw new RangeError(`series ${code}: dividend on ${a.date} is ${a.dividend}; must be ≥ 0`);
    if (!(a.split > 0) || !Number.isFinite(a.split)) throw new RangeError(`series ${code}: split on ${a.date} is ${a.split}; must be > 0`);
    if (i > 0 && a.date <= actions[i - 1].date) throw new RangeError(`series ${code}: corporate actions not in date order at ${a.date}`);
  }
}

/**
 * The adjusted NAV (see the file header). An action dated between two points (the series has a
 * gap) applies to the first point on or after its ex-date; actions on or before the first point
 * are already in it. Throws a RangeError on a NaN, zero or negative unit NAV.
 */
export function adjustedNav(s: ActionSeries): Float64Array {
  const n = Math.min(s.dates.length, s.nav.length);
  assertPositive(s.code, s.dates, s.nav, "unit NAV");
  const out = new Float64Array(n);
  if (n === 0) return out;
  // adj_t = nav_t × K_t, where K (the units one original unit has grown into) changes only on
  // an action day: K_t = K_{t−1} × (split + dividend / nav_t), which is the chained formula
  // rearranged. Between actions adj is the unit NAV times a constant, so a series without
  // actions is its unit NAV exactly (no drift from multiplying thousands of daily ratios).
  out[0] = s.nav[0];
  const acts = s.actions;
  let k = 0;
  while (k < acts.length && acts[k].date <= s.dates[0]) k++;
  let factor = 1;
  for (let t = 1; t < n; t++) {
    // Per unit held at t − 1: the units it has become and the cash it has been paid.
    let units = 1;
    let cash = 0;
    while (k < acts.length && acts[k].date <= s.dates[t]) {
      cash += units * acts[k].dividend;
      units *= acts[k].split;
      k++;
    }
    if (units !== 1 || cash !== 0) factor *= units + cash / s.nav[t];
    out[t] = s.nav[t] * factor;
  }
  return out;
}

/**
 * Dividends inferred where a source gives unit and accumulated NAV but no actions: on each day,
 * (acc_t − acc_{t−1}) − (nav_t − nav_{t−1}) above DIVIDEND_TOLERANCE is a dividend, rounded to
 * four decimals. Days `from` onwards are looked at (each against the day before it). A negative
 * difference (accumulated NAV fell more than unit NAV, as around a split) is not a dividend and
 * is ignored: splits cannot be inferred and must be given.
 */
export function inferDividends(dates: ArrayLike<number>, nav: ArrayLike<number>, accNav: ArrayLike<number>, from = 1): CorporateAction[] {
  const out: CorporateAction[] = [];
  for (let t = Math.max(1, from); t < dates.length; t++) {
    const d = accNav[t] - accNav[t - 1] - (nav[t] - nav[t - 1]);
    if (d > DIVIDEND_TOLERANCE) out.push({ date: dates[t], dividend: round4(d), split: 1 });
  }
  return out;
}

/** True when the action changes nothing (no dividend, no split). */
export function isEmptyAction(a: { dividend: number; split: number }): boolean {
  return a.dividend === 0 && a.split === 1;
}
