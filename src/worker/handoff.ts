/**
 * The worker's side of the hand-off (PostgreSQL; src/queue/sql/handoff.ts): while no handler
 * runs and nothing is due to claim it offers a slot, and a task handed to it arrives as a notification on its own channel, ready to
 * start, without a claim.
 *
 * The offer is one slot, so the claimer's limits hold: before a claim round it withdraws the
 * offer, and if the offer was already taken it keeps one slot free (`reserved`) until the
 * handed task arrives. Its listening session holds the advisory lock that tells enqueues it is
 * alive; after that session was lost, and when a handed task is late, it asks the database for
 * tasks leased to it that it does not hold (adopt). Every handed run is started at most once,
 * whichever way it arrives.
 *
 *   const handoff = new Handoff(workerId, conn, firstLeaseMs, runs, pump, inflight, log);
 *   listenPostgres(url, handlers, log, handoff);   // setup / lost / notified
 *   await handoff.beforeClaim(); … claim (nothing due) … await handoff.offerSlot(queuesWithFreeSlots);
 */
import { randomBytes, randomInt } from "node:crypto";
import type pg from "pg";
import { adoptHanded, handedTask, makeOffer, OFFER_LOCK_CLASS, parseHanded, withdrawOffer } from "@/queue/sql/handoff";
import type { ClaimedTask } from "@/queue/sql/claimed";
import type { Conn } from "@/queue/sql/executor";
import type { Dispatcher } from "./dispatcher";
import type { Inflight } from "./inflight";

/**
 * A taken offer's task normally arrives within milliseconds of the withdraw that found the
 * offer gone (its notification was sent at the same commit); past this, ask the database.
 */
const ADOPT_AFTER_MS = 250;
/** Handed run ids remembered so that the second way a run arrives is ignored. */
const SEEN_MAX = 1_000;

/** A positive int4, the advisory lock key of one worker. */
const randomKey = () => randomInt(1, 2 ** 31 - 1);

export class Handoff {
  /** The channel handed tasks arrive on (lower case: LISTEN folds unquoted names). */
  readonly channel = `qtask_w_${randomBytes(6).toString("hex")}`;
  private lockKey = randomKey();
  /** The listening session holds our lock: enqueues can see we are alive. */
  private locked = false;
  /** An offer of ours may be in worker_offers. */
  private offered = false;
  /** Slots kept free for a handed task on its way (our offer was taken; the task is not here yet). */
  reserved = 0;
  private reservedAt = 0;
  private adoptTimer: NodeJS.Timeout | null = null;
  /** Tasks handed to us may have been notified while we were not listening. */
  private adoptDue = false;
  /** Handed tasks received so far (both ways). */
  private received = 0;
  private readonly seen = new Set<number>();
  private stopped = false;

  constructor(
    private readonly workerId: string,
    private readonly conn: Conn,
    /**
     * The lease a handed task starts with: a few heartbeats, not the whole lease. An idle
     * worker that freezes after offering (SIGSTOP, a stalled VM) while its session stays up
     * can be handed one task; that task goes back to the queue when this runs out, not after
     * a whole lease. The first heartbeat after it arrives renews it to the full lease.
     */
    private readonly firstLeaseMs: number,
    private readonly runs: Dispatcher,
    /** Asks the claimer for a round (it calls beforeClaim first). */
    private readonly pump: () => void,
    private readonly inflight: Inflight,
    private readonly log: (m: string) => void,
  ) {}

  /** An offer is standing: the worker is idle and enqueues may hand it a task. */
  get offering(): boolean {
    return this.offered;
  }

  /** Listening session set-up: take our advisory lock (a new key if another worker holds this one). */
  async setup(client: pg.Client): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::int, $2::int) AS ok", [OFFER_LOCK_CLASS, this.lockKey]);
      if (r.rows[0]?.ok) {
        this.locked = true;
        // A hand-off notified before this session listened was not heard. Set here, with the
        // lock, rather than when the session reports itself connected: a claim round finishing
        // between the two would otherwise offer (see offerSlot).
        this.adoptDue = true;
        return;
      }
      this.lockKey = randomKey();
    }
    throw new Error("no free hand-off lock key after 5 tries");
  }

  /** The listening session is gone, and with it our lock: enqueues treat our offer as dead. */
  lost(): void {
    this.locked = false;
  }

  /** A notification on our channel: a task handed to us. */
  notified(payload: string | undefined): void {
    const h = parseHanded(payload);
    if (!h) return;
    this.offered = false;
    this.received++;
    this.unreserve();
    if ("task" in h) return this.receive(h.task);
    // Too large for the message: read it (by its ids, so this never races a claim).
    void this.inflight
      .track(handedTask(this.conn, h.taskId, h.runId))
      .then((task) => task && this.receive(task))
      .catch((err: unknown) => this.log(`reading handed task ${h.taskId} failed: ${(err as Error).message}`));
  }

  /**
   * Before each claim round (the claimer's; never beside another round): withdraw a standing
   * offer, keeping a slot for its task if it was taken, and adopt what may have been missed.
   */
  async beforeClaim(): Promise<void> {
    if (this.offered) {
      const before = this.received;
      this.offered = false;
      const withdrawn = await withdrawOffer(this.conn, this.workerId);
      if (!withdrawn && this.received === before && !this.stopped) this.reserve();
    }
    if (this.adoptDue || (this.reserved > 0 && performance.now() - this.reservedAt >= ADOPT_AFTER_MS)) await this.adopt();
  }

  /**
   * After a claim round found nothing due while no handler runs and nothing waits for a slot:
   * offer one slot, for a task of any of `queues` (those with a free slot, not gated).
   */
  async offerSlot(queues: string[]): Promise<void> {
    if (queues.length === 0 || !this.locked || this.offered || this.reserved > 0 || this.stopped) return;
    // A new listening session's wake-up round is on its way (listenPostgres asks for it): it
    // adopts first, then offers. Offering now would only be withdrawn by that round, and an
    // enqueue in between would find no offer: at every start, a round begun before the session
    // was up offered and the wake-up round withdrew and offered again 10–30 ms later.
    if (this.adoptDue) return;
    // Set first: a task handed right after the commit may be notified before the reply arrives.
    this.offered = true;
    try {
      await makeOffer(this.conn, { workerId: this.workerId, queues, leaseMs: this.firstLeaseMs, lockKey: this.lockKey, channel: this.channel });
    } catch (err) {
      this.offered = false;
      throw err;
    }
  }

  /**
   * Stopping (after the claimer's last round): withdraw the offer and take in anything handed
   * meanwhile, which the worker then hands back to the queue with its other waiting tasks.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.adoptTimer) clearTimeout(this.adoptTimer);
    const wasOffered = this.offered;
    this.offered = false;
    const withdrawn = wasOffered ? await withdrawOffer(this.conn, this.workerId) : true;
    if (!withdrawn || this.reserved > 0 || this.adoptDue) await this.adopt();
  }

  private reserve(): void {
    this.reserved = 1;
    this.reservedAt = performance.now();
    this.adoptTimer = setTimeout(() => {
      this.adoptTimer = null;
      this.pump();
    }, ADOPT_AFTER_MS);
    this.adoptTimer.unref?.();
  }

  private unreserve(): void {
    this.reserved = 0;
    if (this.adoptTimer) clearTimeout(this.adoptTimer);
    this.adoptTimer = null;
  }

  private async adopt(): Promise<void> {
    this.adoptDue = false;
    const found = await adoptHanded(this.conn, this.workerId, this.runs.heldRuns());
    this.unreserve();
    if (found.length > 0) this.log(`adopted ${found.length} task(s) handed to this worker whose notification was missed`);
    for (const task of found) this.receive(task);
  }

  private receive(task: ClaimedTask): void {
    if (this.seen.has(task.runId) || this.runs.holds(task.runId)) return;
    this.seen.add(task.runId);
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value as number);
    this.runs.add([task]);
    this.runs.startWaiting();
  }
}
