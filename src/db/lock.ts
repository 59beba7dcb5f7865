/**
 * The write lock of a SQLite connection: one per process, shared by Prisma's statements and the
 * engine's (see native.ts for why one connection and one lock).
 */

/**
 * An async mutex, FIFO except for urgent holders, which go before every waiting normal one:
 * a heartbeat must not wait behind a long queue of log and result writes, or the worker's
 * own leases run out while it is busy (seen under CPU starvation with a 3 s lease).
 */
export class Lock {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private readonly urgentWaiting: (() => void)[] = [];

  /** Runs fn when the lock is free (urgent: before the normal waiters). */
  run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        fn()
          .then(resolve, reject)
          .finally(() => this.next());
      };
      if (!this.busy) {
        this.busy = true;
        start();
      } else (urgent ? this.urgentWaiting : this.waiting).push(start);
    });
  }

  private next(): void {
    const n = this.urgentWaiting.shift() ?? this.waiting.shift();
    if (n) n();
    else this.busy = false;
  }
}
