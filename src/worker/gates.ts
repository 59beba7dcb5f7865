/**
 * A worker's view of which of its queues are gated (paused or limited; see
 * queue/sql/queueControls.ts), read at most once a second, and what each gated queue's last
 * claim said — so the claimer sends gated queues through claimGated, skips a queue it knows
 * to be paused, and sleeps until a rate-limited queue may start again instead of polling it.
 * A stale view is never unsafe: the unlimited claim itself skips gated queues, and the gated
 * claim re-reads the controls under their lock.
 */
import { readControls, isGated, type QueueControl } from "@/queue/sql/queueControls";
import type { GatedClaim } from "@/queue/sql/claimGated";
import type { Conn } from "@/queue/sql/executor";

/** Controls are re-read at most this often (and at once after a wake-up older than WAKE_REFRESH_MS). */
const REFRESH_MS = 1_000;
const WAKE_REFRESH_MS = 200;
/** A queue at its max_running is asked again this often (another worker's task may have ended). */
const FULL_RECHECK_MS = 250;

/** The gated queues of one worker and their last claim outcomes. */
export class Gates {
  private gated = new Map<string, QueueControl>();
  private readAt = 0;
  private reading: Promise<boolean> | null = null;
  private everRead = false;
  /** Per gated queue: the last claim's outcome and when (performance.now()) it may be asked again. */
  private last = new Map<string, { state: GatedClaim["state"]; retryAt: number }>();
  /** Per gated queue: when (performance.now()) one of this worker's runs of it last closed. */
  private closedAt = new Map<string, number>();

  constructor(private readonly conn: Conn) {}

  /** Whether the controls have been read at least once. */
  get known(): boolean {
    return this.everRead;
  }

  /**
   * Re-reads the controls when older than REFRESH_MS (or `maxAgeMs`); resolves to whether
   * the gated queues (or whether one is paused) changed.
   */
  async refresh(maxAgeMs = REFRESH_MS): Promise<boolean> {
    if (performance.now() - this.readAt < maxAgeMs) return false;
    this.reading ??= readControls(this.conn)
      .then((all) => {
        const before = this.signature();
        this.gated = new Map(all.filter(isGated).map((c) => [c.name, c]));
        for (const q of this.last.keys()) if (!this.gated.has(q)) this.last.delete(q);
        this.readAt = performance.now();
        this.everRead = true;
        return this.signature() !== before;
      })
      .finally(() => (this.reading = null));
    return this.reading;
  }

  /** The gated queues and their paused flags, as one string to compare. */
  private signature(): string {
    return [...this.gated.values()].map((c) => `${c.name}:${c.paused}`).join(",");
  }

  /** A wake-up arrived (an enqueue, or a pause/resume/limit change): read the controls again soon. */
  woke(): void {
    if (performance.now() - this.readAt > WAKE_REFRESH_MS) this.readAt = 0;
  }

  /** Whether claims of `queue` go through claimGated. */
  isGated(queue: string): boolean {
    return this.gated.has(queue);
  }

  /** Whether a gated queue is worth a claim now (not known paused, not waiting on its rate). */
  mayAsk(queue: string, now = performance.now()): boolean {
    if (this.gated.get(queue)?.paused) return false;
    const l = this.last.get(queue);
    return !l || l.state === "open" || now >= l.retryAt;
  }

  /**
   * A run of `queue` closed: if the queue was found at its max_running, it may have room now
   * (asked again at once). Also remembered, for a claim in flight that counted before it.
   */
  roomMayHaveFreed(queue: string, now = performance.now()): boolean {
    if (!this.gated.has(queue)) return false;
    this.closedAt.set(queue, now);
    const l = this.last.get(queue);
    if (!l || l.state !== "full") return false;
    l.retryAt = 0;
    return true;
  }

  /**
   * Records a gated claim's outcome; `askedAt`: when the claim was sent. A "full" answer is
   * asked again after FULL_RECHECK_MS — at once if one of this worker's runs of the queue
   * closed while the claim was in flight (its count may have included that run).
   */
  note(queue: string, r: GatedClaim, askedAt = performance.now(), now = performance.now()): void {
    const closedSince = (this.closedAt.get(queue) ?? -1) >= askedAt;
    const retryAt = r.state === "rate" ? now + (r.retryInMs ?? 0) : r.state === "full" && !closedSince ? now + FULL_RECHECK_MS : now;
    this.last.set(queue, { state: r.state, retryAt });
    const c = this.gated.get(queue);
    if (c && (r.state === "paused") !== c.paused) c.paused = r.state === "paused";
  }

  /**
   * Of `open` queues: those whose next due task msUntilNextDue may report (ungated, or gated
   * and last found open), and the soonest a gated queue waiting on its rate or its
   * max_running should be asked again (ms from now; null: none waits).
   */
  plan(open: string[], now = performance.now()): { dueQueues: string[]; retryInMs: number | null } {
    const dueQueues: string[] = [];
    let retry: number | null = null;
    for (const q of open) {
      const l = this.last.get(q);
      if (!this.gated.has(q) || (!this.gated.get(q)?.paused && (!l || l.state === "open"))) dueQueues.push(q);
      else if (l && (l.state === "rate" || l.state === "full") && !this.gated.get(q)?.paused)
        retry = Math.min(retry ?? Infinity, Math.max(0, l.retryAt - now));
    }
    return { dueQueues, retryInMs: retry };
  }
}
