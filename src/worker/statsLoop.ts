/**
 * The daily roll-up's loop: every `everyMs` (QTASK_STATS_MS, default 5 minutes; 0: off in this
 * process) the worker holding the `stats` lease runs a round of rollUpDailyStats, so the trends
 * on the dashboard are at most one interval behind and a finished day is made final soon after
 * its grace period. Rounds are safe without the lease too (the roll-up's version check); the
 * lease saves the other workers the reading.
 */
import { dayClock } from "@/schedule/dayClock";
import type { DayClock } from "@/queue/dailyStats";
import type { Conn } from "@/queue/sql/executor";
import { rollUpDailyStats } from "@/queue/sql/dailyStats";
import { LeasedLoop } from "@/queue/leasedLoop";

export const STATS_LEASE = "stats";

/** How often the roll-up runs (QTASK_STATS_MS; 0 turns it off in this process). */
export function statsEveryMs(): number {
  const v = process.env.QTASK_STATS_MS;
  return v === undefined || v === "" ? 300_000 : Math.max(0, Number(v) || 0);
}

/** The roll-up's loop under the `stats` lease. */
export function statsLoop(conn: Conn, holder: string, everyMs: number, log: (m: string) => void): LeasedLoop {
  // Made at the first round, not at the worker's start: its time-zone formatter costs ICU's
  // zone data on first use, 20 ms of CPU that a drain's first second (the worker's busiest)
  // paid in the profile of a 20,000-task drain.
  let clock: DayClock | null = null;
  return new LeasedLoop(
    conn,
    { name: STATS_LEASE, holder, ttlMs: Math.max(30_000, everyMs * 3) },
    everyMs,
    async () => {
      clock ??= dayClock();
      const r = await rollUpDailyStats(conn, clock);
      if (r.retry) log("daily stats: runs were deleted during the round; the next round writes");
    },
    (err) => log(`daily stats roll-up failed: ${err.message}`),
  );
}
