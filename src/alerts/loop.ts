/**
 * The alert loop: every `everyMs` the process holding the `alerts` lease evaluates the rules
 * (evaluate.ts). Workers run it, and so does `npm start`'s launcher, so "no worker online" is
 * noticed when no worker is. Messages are exactly-once without the lease too (compare-and-set
 * state, unique dedup keys); the lease only saves the other processes the queries.
 */
import type { Database } from "@/db/client";
import type { Registry } from "@/queue/registry";
import type { Conn } from "@/queue/sql/executor";
import { LeasedLoop } from "@/queue/leasedLoop";
import { evaluateAlerts } from "./evaluate";

export const ALERTS_LEASE = "alerts";

/** How often rules are checked (QTASK_ALERTS_MS; 0 turns the loop off in this process). */
export function alertsEveryMs(): number {
  const v = process.env.QTASK_ALERTS_MS;
  return v === undefined || v === "" ? 15_000 : Math.max(0, Number(v) || 0);
}

/** The alert evaluation under the `alerts` lease (see LeasedLoop). */
export class AlertLoop {
  private readonly loop: LeasedLoop;

  constructor(database: Database, conn: Conn, registry: Registry, holder: string, everyMs: number, log: (m: string) => void) {
    this.loop = new LeasedLoop(
      conn,
      { name: ALERTS_LEASE, holder, ttlMs: Math.max(10_000, everyMs * 4) },
      everyMs,
      async () => {
        const n = await evaluateAlerts({ database, conn, registry });
        if (n > 0) log(`alerts: queued ${n} message(s)`);
      },
      (err) => log(`alert evaluation failed: ${err.message}`),
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  tick(): Promise<void> {
    return this.loop.tick();
  }
}
