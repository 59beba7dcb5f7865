/**
 * The claimer: claims what the free slots (and the room to claim ahead) allow, across all of
 * the worker's queues in one statement per round, until a round comes back short; then sleeps
 * until a wake-up, a freed slot, the next delayed task falling due, or the poll interval.
 * Queues that are paused or limited cluster-wide (Gates) are claimed one by one through
 * claimGated; the others together in the one unlimited statement, as before.
 *
 * While every slot is taken it pauses wake-ups (each finishing task claims again anyway, and
 * on SQLite the worker's own commits would wake it thousands of times a second) and asks for
 * cancel requests on a timer instead, until a claim comes back short.
 *
 * On PostgreSQL a round that finds nothing while no handler runs offers a slot to enqueues
 * (Handoff); each round first settles that offer, so a task handed to the worker always finds
 * its slot free.
 */
import type { QueueConfig } from "@/queue/config";
import { claimTasks, msUntilNextDue, type ClaimedTask } from "@/queue/sql/claim";
import { claimGated } from "@/queue/sql/claimGated";
import { Gates } from "./gates";
import type { Conn } from "@/queue/sql/executor";
import type { Dispatcher } from "./dispatcher";
import type { Inflight } from "./inflight";
import type { Slots } from "./slots";
import type { Wakeup } from "./wakeup";
import type { Handoff } from "./handoff";

/** While wake-ups are paused, cancel requests are asked for this often. */
const CANCEL_POLL_MS = 250;

export class Claimer {
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  /** Wake-ups paused because the worker is busy (see busy()). */
  private wakeupsPaused = false;
  private cancelPoll: NodeJS.Timeout | null = null;
  /** Set once the wake-up source is open. */
  wakeup: Wakeup | null = null;
  /** Told when a claim came back empty while nothing runs or waits (the worker is idle). */
  onIdle: (() => void) | null = null;
  /** PostgreSQL: the hand-off, which offers an idle worker's slot to enqueues (set by the worker). */
  handoff: Handoff | null = null;
  /** Which queues are paused or limited, and their last gated claims. */
  readonly gates: Gates;
  private closedSoon = false;

  constructor(
    private readonly workerId: string,
    private readonly conn: Conn,
    private readonly config: Pick<QueueConfig, "leaseMs" | "pollMs">,
    private readonly slots: Slots,
    private readonly runs: Dispatcher,
    private readonly inflight: Inflight,
    /** Asks the database for cancel requests of held runs (while wake-ups are paused). */
    private readonly checkCancels: () => void,
    private readonly log: (m: string) => void,
  ) {
    this.gates = new Gates(conn);
  }

  /**
   * A run of `queue` was closed. For a queue at its cluster-wide max_running that is room the
   * database can now see (a freed slot alone is not: the run counts as running until its close
   * commits), so claim again — once for all the closes of one group commit.
   */
  runClosed(queue: string): void {
    if (!this.gates.roomMayHaveFreed(queue) || this.closedSoon) return;
    this.closedSoon = true;
    setImmediate(() => {
      this.closedSoon = false;
      this.pump();
    });
  }

  /** A wake-up arrived: claim now, with the queue controls read again if they are not fresh. */
  woke(): void {
    this.gates.woke();
    this.pump();
  }

  /** Claims now (or right after the round in progress). */
  pump(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.inflight
      .track(this.claimLoop())
      .catch((err) => this.log(`claiming failed: ${(err as Error).message}`))
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain && !this.stopping) {
          this.pumpAgain = false;
          this.pump();
        } else {
          void this.schedulePoll();
        }
      });
  }

  /** Claims no more: clears its timers (a claim in flight is waited for by the worker's Inflight). */
  stop(): void {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.cancelPoll) clearInterval(this.cancelPoll);
  }

  /** Next pump: at the poll interval, or sooner when a delayed or retried task falls due. */
  private async schedulePoll(): Promise<void> {
    if (this.stopping) return;
    let delay = this.config.pollMs;
    const { dueQueues, retryInMs } = this.gates.plan(this.slots.queuesWithCapacity());
    if (retryInMs !== null) delay = Math.min(delay, Math.max(1, Math.ceil(retryInMs)));
    if (dueQueues.length > 0) {
      const due = await this.inflight.track(msUntilNextDue(this.conn, dueQueues)).catch(() => null);
      // At least 10 ms: a task due now that we could not claim was taken by another worker.
      if (due !== null) delay = Math.min(delay, Math.max(10, due + 1));
    }
    if (this.stopping) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.polled(dueQueues), delay);
  }

  /**
   * The poll timer fired. While an idle worker's offer stands, a round would withdraw it and
   * offer it again, two writes a second for each idle worker: ask first whether anything is
   * due (one read, as a round's own next-due probe is) and keep the offer when nothing is.
   */
  private polled(dueQueues: string[]): void {
    if (!this.handoff?.offering || dueQueues.length === 0) return this.pump();
    void this.inflight.track(msUntilNextDue(this.conn, dueQueues)).then(
      (due) => (due === 0 ? this.pump() : void this.schedulePoll()),
      () => this.pump(),
    );
  }

  /** One claim statement per round for every queue with room, until a round comes back short. */
  private async claimLoop(): Promise<void> {
    while (!this.stopping) {
      await this.handoff?.beforeClaim();
      this.runs.startWaiting();
      const now = performance.now();
      const plan = this.slots.plan(this.runs.waitingByQueue(), this.runs.waitingCount, (q) => this.runs.longestRunningMs(q, now));
      if (plan.pause) {
        this.busy(true);
        return;
      }
      // A task handed to us is on its way: keep its slot free, in whichever queue it is.
      const reserved = this.handoff?.reserved ?? 0;
      if (reserved > 0) {
        plan.limit -= reserved;
        for (const q of Object.keys(plan.slots)) plan.slots[q] = Math.max(0, plan.slots[q] - reserved);
        if (plan.limit <= 0) return;
      }
      const claimed = await this.claim(plan.slots, plan.limit);
      if (claimed.length === 0) {
        if (this.runs.size === 0) this.onIdle?.();
        // Nothing due and no handler running (a finished run's close may still be being
        // written): the next task enqueued on its own can be handed to us. Not while a handler
        // runs — one that blocks the event loop would hold a handed task back from workers that
        // could start it — and not for gated queues, which enqueues never hand off.
        if (this.slots.handling === 0 && this.runs.waitingCount === 0)
          await this.handoff?.offerSlot(this.slots.queuesWithCapacity().filter((q) => !this.gates.isGated(q)));
      }
      this.runs.add(claimed);
      this.runs.startWaiting();
      // Short: nothing more is due in the open queues right now. If wake-ups were paused, a
      // commit made before they resumed went unheard: claim once more to cover it.
      if (claimed.length < plan.limit && !this.busy(false)) return;
    }
  }

  /**
   * One round: the unlimited queues in one statement, then each gated queue that may start
   * something, for its free slots only (claiming ahead would hold a cluster-wide slot idle).
   */
  private async claim(slots: Record<string, number>, limit: number): Promise<ClaimedTask[]> {
    // Once known, the controls are re-read beside the claim, not before it: a stale view is
    // safe (see gates.ts), and awaiting the read put a round trip between a wake-up and the
    // claim of the task just enqueued. A read that finds the gates changed claims again.
    if (this.gates.known)
      void this.inflight.track(this.gates.refresh()).then(
        (changed) => changed && this.pump(),
        (err: unknown) => this.log(`reading queue controls failed: ${(err as Error).message}`),
      );
    else await this.gates.refresh();
    const fast: Record<string, number> = {};
    const gated: string[] = [];
    for (const [q, n] of Object.entries(slots)) {
      if (n <= 0) continue;
      if (this.gates.isGated(q)) gated.push(q);
      else fast[q] = n;
    }
    const claimed =
      Object.keys(fast).length > 0 ? await claimTasks(this.conn, { workerId: this.workerId, slots: fast, limit, leaseMs: this.config.leaseMs }) : [];
    if (gated.length === 0) return claimed;
    const waiting = this.runs.waitingByQueue();
    for (const q of gated) {
      const n = Math.min(slots[q], this.slots.freeIn(q) - (waiting.get(q) ?? 0), limit - claimed.length);
      if (n <= 0 || !this.gates.mayAsk(q)) continue;
      const askedAt = performance.now();
      const r = await claimGated(this.conn, { workerId: this.workerId, leaseMs: this.config.leaseMs }, q, n);
      this.gates.note(q, r, askedAt);
      claimed.push(...r.claimed);
    }
    return claimed;
  }

  /**
   * Pauses wake-ups while every slot is taken and resumes them when the worker waits for
   * work; true when they were just resumed.
   */
  private busy(paused: boolean): boolean {
    if (!this.wakeup?.pause || paused === this.wakeupsPaused) return false;
    this.wakeupsPaused = paused;
    if (paused) {
      this.wakeup.pause();
      this.cancelPoll = setInterval(() => this.checkCancels(), CANCEL_POLL_MS);
    } else {
      if (this.cancelPoll) clearInterval(this.cancelPoll);
      this.cancelPoll = null;
      this.wakeup.resume?.();
    }
    return !paused;
  }
}
