/**
 * A round every `everyMs`, run by the one process holding a named lease (the others only try
 * to take it): the alert evaluation and the daily roll-up. The first round comes after one
 * interval, not at once — a worker's first second is its busiest (the alert loop measured it:
 * the Prisma client's start-up in that second cost a 20,000-task drain 10–15% on 2 cores).
 * Rounds never overlap; a failed one is logged and the next comes as usual.
 */
import { acquireLease, releaseLease } from "./sql/scheduler";
import type { Conn } from "./sql/executor";

export class LeasedLoop {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private leader = false;

  constructor(
    private readonly conn: Conn,
    private readonly lease: { name: string; holder: string; ttlMs: number },
    private readonly everyMs: number,
    private readonly round: () => Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Starts ticking (not at all when everyMs is 0). */
  start(): void {
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref?.();
  }

  /** Stops ticking, waits for a round in progress, and gives the lease up. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.current;
    if (this.leader) await releaseLease(this.conn, this.lease.name, this.lease.holder).catch(() => undefined);
  }

  /** One round now (or the one in progress). */
  tick(): Promise<void> {
    if (this.current) return this.current;
    this.current = this.once().finally(() => (this.current = null));
    return this.current;
  }

  private async once(): Promise<void> {
    try {
      this.leader = await acquireLease(this.conn, this.lease.name, this.lease.holder, this.lease.ttlMs);
      if (this.leader) await this.round();
    } catch (err) {
      this.onError(err as Error);
    }
  }
}
