/**
 * Slot accounting of one worker, pure (no timers, no database): how many handlers run in all
 * and per queue, how many finished runs still wait for their closes, each queue's recent pace,
 * and from these what the next claim may take. The dispatcher reports handlers starting and
 * finishing; the claimer asks plan() before every claim.
 *
 *   const slots = new Slots(config, claimBatch);
 *   slots.started("default"); … slots.finished("default", 12.5); … slots.closed();
 *   const next = slots.plan(waitingByQueue, waitingCount, (q) => longestRunningMs(q));
 */
import type { QueueConfig } from "@/queue/config";

type QueueLimit = QueueConfig["queues"][number];

/** What the next claim may take: per queue and in all. `pause`: claim nothing now. */
export interface ClaimPlan {
  slots: Record<string, number>;
  limit: number;
  pause: boolean;
}

/** The counters a worker's concurrency limits are checked against. */
export class Slots {
  /** Handlers running, in all. */
  handling = 0;
  /** Runs whose handler finished and whose close is not written yet. */
  closing = 0;
  private readonly handlingIn = new Map<string, number>();
  /** Per queue: a moving average of how long its handlers took, in ms. */
  private readonly paceMs = new Map<string, number>();
  private readonly queues: readonly QueueLimit[];
  private readonly byName: Map<string, QueueLimit>;

  constructor(
    private readonly config: Pick<QueueConfig, "concurrency" | "prefetchMs" | "queues">,
    /** Most tasks per claim (claimBatchFor). */
    readonly claimBatch: number,
  ) {
    this.queues = config.queues;
    this.byName = new Map(config.queues.map((q) => [q.name, q]));
  }

  /**
   * Most finished runs waiting for their closes before claiming pauses. A slot is free again
   * as soon as its handler returns, so the next claim overlaps the group-committed close of
   * the last ones instead of waiting for it; this bounds how far closes may fall behind.
   */
  get closingCap(): number {
    return Math.max(2 * this.config.concurrency, this.claimBatch);
  }

  /** Closes have fallen so far behind that claiming waits for them. */
  get closesBehind(): boolean {
    return this.closing >= this.closingCap;
  }

  /** Every handler slot of the worker is taken. */
  get full(): boolean {
    return this.handling >= this.config.concurrency;
  }

  /** A handler of `queue` started. */
  started(queue: string): void {
    this.handling++;
    this.handlingIn.set(queue, (this.handlingIn.get(queue) ?? 0) + 1);
  }

  /** A handler of `queue` finished after `tookMs` (null: it was aborted, which says nothing of the pace); its close is pending. */
  finished(queue: string, tookMs: number | null): void {
    this.handling--;
    this.handlingIn.set(queue, (this.handlingIn.get(queue) ?? 1) - 1);
    this.closing++;
    if (tookMs !== null) {
      const pace = this.paceMs.get(queue);
      this.paceMs.set(queue, pace === undefined ? tookMs : 0.8 * pace + 0.2 * tookMs);
    }
  }

  /** A run's close was written (or given up). */
  closed(): void {
    this.closing--;
  }

  /** Handler slots free in `queue`: its own limit and the worker's total, whichever is tighter (0 for a queue not served). */
  freeIn(queue: string): number {
    const q = this.byName.get(queue);
    if (!q) return 0;
    const inQueue = this.handlingIn.get(q.name) ?? 0;
    return Math.max(0, Math.min(this.config.concurrency - this.handling, (q.limit ?? Infinity) - inQueue));
  }

  /** Queues a claim could take tasks of now (none while closes are behind). */
  queuesWithCapacity(): string[] {
    if (this.closesBehind) return [];
    return this.queues.filter((q) => this.freeIn(q.name) > 0).map((q) => q.name);
  }

  /**
   * How many claimed tasks of queue q may wait here for a slot. Claiming only for free slots
   * costs a round trip per handful of tasks when tasks are short; claiming ahead (as Graphile
   * Worker's local queue does) costs nothing when they are short, but holds back tasks other
   * workers could run when they are long. So: as many as q's slots get through in
   * config.prefetchMs at q's recent pace, none before one of q's handlers has finished, and
   * none while one of them has been running longer than the pace says (`longestRunningMs`).
   */
  prefetchFor(q: QueueLimit, longestRunningMs: () => number): number {
    const pace = this.paceMs.get(q.name);
    if (pace === undefined || this.config.prefetchMs === 0) return 0;
    const slowest = Math.max(pace, longestRunningMs());
    const slots = Math.min(this.config.concurrency, q.limit ?? Infinity);
    // A floor on the pace: a no-op handler takes microseconds, and the claim batch caps it anyway.
    return Math.min(this.claimBatch, Math.floor((slots * this.config.prefetchMs) / Math.max(slowest, 0.05)));
  }

  /**
   * The next claim, given what already waits here for a slot (in all and per queue) and, per
   * queue, how long its longest-running handler has run. Per queue: its free slots and what
   * may wait for them, less what already waits; in all: at most the claim batch. It pauses
   * when nothing may be taken, while closes are behind, and when every slot is taken and more
   * than half of what may wait already does: topping up once half has started takes one
   * claim, rather than a claim for every few slots that free up.
   */
  plan(waitingIn: ReadonlyMap<string, number>, waiting: number, longestRunningMs: (queue: string) => number): ClaimPlan {
    let ahead = 0;
    let open = 0;
    const slots: Record<string, number> = {};
    for (const q of this.queues) {
      const may = this.prefetchFor(q, () => longestRunningMs(q.name));
      ahead = Math.max(ahead, may);
      open += slots[q.name] = Math.max(0, this.freeIn(q.name) + may - (waitingIn.get(q.name) ?? 0));
    }
    const free = this.config.concurrency - this.handling;
    const limit = Math.min(this.claimBatch, free + ahead - waiting, open);
    const toppedUp = free <= 0 && waiting > ahead / 2;
    return { slots, limit, pause: limit <= 0 || toppedUp || this.closesBehind };
  }
}
