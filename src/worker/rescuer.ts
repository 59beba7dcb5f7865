/**
 * The rescuer: every `rescueMs` (the first time after a random part of it, so that workers
 * started together do not all scan at once), tasks whose leases expired because their worker
 * died are queued again, or failed when their attempts are used up (src/queue/sql/lease.ts).
 * Every live worker runs one; the statement is safe to run from all of them at once.
 */
import { rescueExpired } from "@/queue/sql/lease";
import type { Conn } from "@/queue/sql/executor";
import type { Inflight } from "./inflight";

export class Rescuer {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly conn: Conn,
    private readonly rescueMs: number,
    private readonly inflight: Inflight,
    /** Tasks were queued again: there is work to claim. */
    private readonly onRescued: () => void,
    private readonly log: (m: string) => void,
  ) {}

  /** Rescues once now, then keeps rescuing on its timer. */
  async start(): Promise<void> {
    const first = setTimeout(() => {
      this.tick();
      this.timers.push(setInterval(() => this.tick(), this.rescueMs));
    }, Math.random() * this.rescueMs);
    this.timers.push(first);
    await this.rescue();
  }

  /** Stops the timer (a rescue in flight is waited for by the worker's Inflight). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  private tick(): void {
    void this.inflight.track(this.rescue()).catch((err) => this.log(`rescue failed: ${(err as Error).message}`));
  }

  private async rescue(): Promise<void> {
    const rescued = await rescueExpired(this.conn);
    if (rescued.length > 0) {
      this.log(`rescued ${rescued.length} task(s) with expired leases: ${rescued.map((r) => `${r.taskId}→${r.status}`).join(", ")}`);
      this.onRescued();
    }
  }
}
