/**
 * The adjusted NAV written out again for the tests, independently of src/domain/adjusted.ts:
 * each day's factor is (unit NAV × split + dividend) / the previous unit NAV, chained from the
 * first unit NAV. Actions are given with their ex-dates as "YYYY-MM-DD" or yyyymmdd.
 */
export function handAdjusted(
  dates: ArrayLike<number | string>,
  nav: ArrayLike<number>,
  actions: readonly { date: number | string; dividend: number; split: number }[],
): number[] {
  const key = (d: number | string) => Number(String(d).replaceAll("-", ""));
  const byDate = new Map(actions.map((a) => [key(a.date), a]));
  const out = [nav[0]];
  for (let i = 1; i < nav.length; i++) {
    const a = byDate.get(key(dates[i]));
    const factor = a ? (nav[i] * a.split + a.dividend) / nav[i - 1] : nav[i] / nav[i - 1];
    out.push(out[i - 1] * factor);
  }
  return out;
}
