/**
 * PostgreSQL: vacuums the engine's own tables when autovacuum does not. Every task leaves
 * dead row versions behind (a claim and a close each replace its row; a run is inserted and
 * updated), and until a vacuum removes them the claim's index scan, the next-due probe and the
 * closes step over them: on a server with autovacuum off, after five drains of 20,000 tasks
 * the tasks table held 720,000 dead row versions, an idle claim took 1.1 ms in the server
 * instead of 0.08 ms, and drains ran 20–30% slower (anchors-bench, see the README's
 * "Side by side"). With autovacuum on and keeping up, needsVacuum never fires.
 *
 * A worker checks when it has nothing to do (its claim came back empty and nothing runs), at
 * most every `everyMs`, and while busy every BUSY_FACTOR × `everyMs`, so a worker that is never
 * idle still vacuums. The check is one catalog read; the VACUUM runs only when a table needs
 * it, with SKIP_LOCKED so that workers never queue behind each other's vacuum.
 */
import { vacuumBloated } from "@/queue/sql/maintenance";
import type { Conn } from "@/queue/sql/executor";

/** While busy, a worker checks this many times less often than when idle. */
const BUSY_FACTOR = 6;

/** The vacuum checks of one worker (made by the worker on PostgreSQL only, with everyMs > 0). */
export class VacuumKeeper {
  private checkedAt = -Infinity;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly conn: Conn,
    private readonly everyMs: number,
    private readonly log: (m: string) => void,
  ) {}

  /** Starts the busy-time check (every BUSY_FACTOR × everyMs). */
  start(): void {
    this.timer = setInterval(() => this.check(this.everyMs * BUSY_FACTOR), this.everyMs * BUSY_FACTOR);
    this.timer.unref();
  }

  /** The worker has nothing to do: check now, unless the last check is under everyMs old. */
  idle(): void {
    this.check(this.everyMs);
  }

  /** Stops checking; resolves when a vacuum in progress has finished (the database closes next). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private check(minAgeMs: number): void {
    if (this.stopped || this.running) return;
    const now = performance.now();
    if (now - this.checkedAt < minAgeMs) return;
    this.checkedAt = now;
    this.running = vacuumBloated(this.conn)
      .then((tables) => {
        if (tables.length > 0) this.log(`vacuumed ${tables.join(", ")} (autovacuum is off or behind)`);
      })
      .catch((err: unknown) => this.log(`vacuum failed: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
      });
  }
}
