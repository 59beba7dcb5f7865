/**
 * The alert loop: every `everyMs` the process holding the `alerts` lease evaluates the rules
 * (evaluate.ts). Workers run it, and so does `npm start`'s launcher, so "no worker online" is
 * noticed when no worker is. Messages are exactly-once without the lease too (compare-and-set
 * state, unique dedup keys); the lease only saves the other processes the queries.
 */
import type { Database } from "@/db/client";
import type { Registry } from "@/queue/registry";
import type { Conn } from "@/queue/sql/executor";
import { acquireLease, releaseLease } from "@/queue/sql/scheduler";
import { evaluateAlerts } from "./evaluate";

export const ALERTS_LEASE = "alerts";

/** How often rules are checked (QTASK_ALERTS_MS; 0 turns the loop off in this process). */
export function alertsEveryMs(): number {
  const v = process.env.QTASK_ALERTS_MS;
  return v === undefined || v === "" ? 15_000 : Math.max(0, Number(v) || 0);
}

export class AlertLoop {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private leader = false;

  constructor(
    private readonly database: Database,
    private readonly conn: Conn,
    private readonly registry: Registry,
    private readonly holder: string,
    private readonly everyMs: number,
    private readonly log: (m: string) => void,
  ) {}

  /**
   * Starts ticking; the first round comes after one interval, not at once: it is the worker's
   * first use of the Prisma client, whose start-up (~100 ms of CPU) taken in the first second
   * cost a drain of 20,000 tasks 10–15% on 2 cores (bench, PostgreSQL).
   */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current;
    if (this.leader) await releaseLease(this.conn, ALERTS_LEASE, this.holder).catch(() => undefined);
  }

  tick(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.round().finally(() => (this.current = null));
    return this.current;
  }

  private async round(): Promise<void> {
    try {
      this.leader = await acquireLease(this.conn, ALERTS_LEASE, this.holder, Math.max(10_000, this.everyMs * 4));
      if (!this.leader) return;
      const n = await evaluateAlerts({ database: this.database, conn: this.conn, registry: this.registry });
      if (n > 0) this.log(`alerts: queued ${n} message(s)`);
    } catch (err) {
      this.log(`alert evaluation failed: ${(err as Error).message}`);
    }
  }
}
