/**
 * TEST ONLY. Preloaded into a worker process (NODE_OPTIONS="--import <this file>") to make its
 * wall clock wrong by QTASK_TEST_CLOCK_SKEW_MS milliseconds, as on a host whose clock drifted:
 * Date.now() and `new Date()` are shifted; timers and performance.now() are not (a wrong
 * wall clock does not make timers run faster). The engine itself has no skew hook: it takes
 * every lease and schedule decision from the database's clock, which is what the chaos suite
 * proves with two workers whose clocks disagree.
 */
const skew = Number(process.env.QTASK_TEST_CLOCK_SKEW_MS ?? 0);

if (Number.isFinite(skew) && skew !== 0) {
  const RealDate = globalThis.Date;
  const realNow = RealDate.now.bind(RealDate);
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + skew);
      else super(...args);
    }
    static now() {
      return realNow() + skew;
    }
    // Dates made by Node internals (which keep the original Date) still count as dates.
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  // Date() called without `new` returns a string of the current time.
  const DateProxy = new Proxy(SkewedDate, {
    apply: () => new SkewedDate().toString(),
  });
  globalThis.Date = DateProxy;
  console.log(`[test clock] this process's wall clock is off by ${skew > 0 ? "+" : ""}${skew} ms`);
}
