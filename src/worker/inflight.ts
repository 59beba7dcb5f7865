/**
 * Background database work of a worker in flight (claims, polls, heartbeats, rescues): each
 * part tracks what it starts, and stopping waits for all of it, because the caller closes the
 * database next and a statement still using a connection would make that close wait forever.
 */
export class Inflight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Remembers a promise until it settles; returns it. */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** Waits until nothing is in flight (including work started meanwhile). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
