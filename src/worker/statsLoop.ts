/**
 * The daily roll-up's loop: every `everyMs` (QTASK_STATS_MS, default 5 minutes; 0: off in this
 * process) the worker holding the `stats` lease runs a round of rollUpDailyStats, so the trends
 * on the dashboard are at most one interval behind and a finished day is made final soon after
 * its grace period. Rounds are safe without the lease too (the roll-up's version check); the
 * lease saves the other workers the reading.
 */
import { dayClock } from "@/schedule/dayClock";
import type { Conn } from "@/queue/sql/executor";
import { rollUpDailyStats } from "@/queue/sql/dailyStats";
import { acquireLease, releaseLease } from "@/queue/sql/scheduler";

export const STATS_LEASE = "stats";

/** How often the roll-up runs (QTASK_STATS_MS; 0 turns it off in this process). */
export function statsEveryMs(): number {
  const v = process.env.QTASK_STATS_MS;
  return v === undefined || v === "" ? 300_000 : Math.max(0, Number(v) || 0);
}

export class StatsLoop {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private leader = false;
  private readonly clock = dayClock();

  constructor(
    private readonly conn: Conn,
    private readonly holder: string,
    private readonly everyMs: number,
    private readonly log: (m: string) => void,
  ) {}

  /** Starts ticking; the first round after one interval (as the alert loop: not in the worker's first seconds). */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current;
    if (this.leader) await releaseLease(this.conn, STATS_LEASE, this.holder).catch(() => undefined);
  }

  tick(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.round().finally(() => (this.current = null));
    return this.current;
  }

  private async round(): Promise<void> {
    try {
      this.leader = await acquireLease(this.conn, STATS_LEASE, this.holder, Math.max(30_000, this.everyMs * 3));
      if (!this.leader) return;
      const r = await rollUpDailyStats(this.conn, this.clock);
      if (r.retry) this.log("daily stats: runs were deleted during the round; next round writes");
    } catch (err) {
      this.log(`daily stats roll-up failed: ${(err as Error).message}`);
    }
  }
}
