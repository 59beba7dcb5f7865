/**
 * The lease keeper: every `heartbeatMs` it renews the leases of every run the worker holds and
 * records that the worker is alive (src/queue/sql/lease.ts), hands back tasks that waited here
 * too long for a slot, and routes what the heartbeat learned — cancel requests, and runs whose
 * lease is gone — to the dispatcher. It keeps beating through a graceful stop: tasks finishing
 * in the grace period still need their leases. It also answers "were any of my runs
 * cancelled?" on demand, for wake-ups that cannot say which run (SQLite).
 */
import type { QueueConfig } from "@/queue/config";
import { cancelRequests, heartbeat } from "@/queue/sql/lease";
import type { Conn } from "@/queue/sql/executor";
import type { Dispatcher } from "./dispatcher";
import type { Inflight } from "./inflight";

/** Past this age a task waiting here for a slot goes back to the queue, for any worker to take. */
export const WAIT_LIMIT_MS = 2_000;
/** Unspecific cancel hints are checked against the database at most this often. */
const CANCEL_CHECK_MS = 200;

export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private lastBeat = 0;
  private cancelCheckAt = 0;

  constructor(
    private readonly workerId: string,
    private readonly conn: Conn,
    private readonly config: Pick<QueueConfig, "heartbeatMs" | "leaseMs">,
    private readonly runs: Dispatcher,
    private readonly inflight: Inflight,
    private readonly log: (m: string) => void,
  ) {}

  /** Starts beating every heartbeatMs. */
  start(): void {
    this.timer = setInterval(
      () => void this.inflight.track(this.beat()).catch((err) => this.log(`heartbeat failed: ${(err as Error).message}`)),
      this.config.heartbeatMs,
    );
  }

  /** Stops beating (last, when nothing runs any more). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** A cancel was requested for some run, perhaps one of ours: ask the database which (rate-limited). */
  checkCancels(): void {
    if (this.runs.size === 0) return;
    const now = Date.now();
    if (now - this.cancelCheckAt < CANCEL_CHECK_MS) return;
    this.cancelCheckAt = now;
    void this.inflight
      .track(cancelRequests(this.conn, this.runs.heldRuns()))
      .then((ids) => ids.forEach((id) => this.runs.cancel(id)))
      .catch((err) => this.log(`cancel check failed: ${(err as Error).message}`));
  }

  private async beat(): Promise<void> {
    const started = Date.now();
    const { leaseMs, heartbeatMs } = this.config;
    // A late or slow heartbeat is how a live worker loses its leases: say so in its log.
    const late = this.lastBeat ? started - this.lastBeat - heartbeatMs : 0;
    this.lastBeat = started;
    const stale = this.runs.releaseStale(WAIT_LIMIT_MS);
    if (stale > 0) this.log(`handing ${stale} task(s) back to the queue: they waited over ${WAIT_LIMIT_MS} ms for a slot`);
    const res = await heartbeat(this.conn, { workerId: this.workerId, runIds: this.runs.heldRuns(), leaseMs });
    const took = Date.now() - started;
    if (late > leaseMs / 4 || took > leaseMs / 4)
      this.log(`heartbeat ${late > 0 ? `started ${late} ms late and ` : ""}took ${took} ms (lease ${leaseMs} ms)`);
    for (const id of res.cancelRequested) this.runs.cancel(id);
    for (const id of res.lost) this.runs.lost(id, this.log);
  }
}
