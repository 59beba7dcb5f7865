/**
 * The claimed tasks waiting in a worker for a free slot: first in, first out, except that a
 * task whose queue has no free slot keeps its place while later ones of other queues start.
 *
 * An array with a head index, and the count per queue kept as tasks come and go. With a
 * thousand tasks claimed ahead and ten slots, the worker starts ten tasks per turn of its
 * event loop and plans a claim each time; it used to shift the rest of a plain array down
 * (copyWithin) and count it per queue for the plan, the whole list on every turn. Timed alone
 * (200,000 tasks through a list kept at 1,000, 2026-12-07): 5.4–5.6 µs of CPU per task at
 * concurrency 10 and 1.0–1.7 µs at 50, against 0.1 µs now — at concurrency 10 a tenth to a
 * quarter of the worker's whole CPU per task in a PostgreSQL drain, which keeps 500–1,000
 * waiting (bench/profile-drain.ts).
 */

/** What the list needs of a task: its queue and the run that holds its lease. */
export interface WaitingTask {
  queue: string;
  runId: number;
}

/** A claimed task waiting for a slot. */
export interface Waiting<T extends WaitingTask = WaitingTask> {
  task: T;
  /** performance.now() when it was claimed. */
  claimedAt: number;
}

/** Compact the array once this many entries before the head are spent (and at least half of it). */
const COMPACT_AT = 1024;

/** A worker's waiting tasks in claim order, with their count per queue. */
export class WaitList<T extends WaitingTask> {
  private items: (Waiting<T> | undefined)[] = [];
  private head = 0;
  private readonly counts = new Map<string, number>();

  /** How many tasks wait. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Waiting tasks per queue (queues with none are absent). The live map: read it, do not keep it. */
  get byQueue(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Adds a task at the end. */
  push(w: Waiting<T>): void {
    this.items.push(w);
    this.counts.set(w.task.queue, (this.counts.get(w.task.queue) ?? 0) + 1);
  }

  /**
   * Goes through the waiting tasks oldest first until `full()`: each that `canStart` is taken
   * out and given to `start`, the others keep their places. Costs what it went through, not
   * the length of the list.
   */
  startFromHead(full: () => boolean, canStart: (w: Waiting<T>) => boolean, start: (w: Waiting<T>) => void): void {
    const a = this.items;
    const head = this.head;
    let kept = 0;
    let i = head;
    for (; i < a.length && !full(); i++) {
      const w = a[i] as Waiting<T>;
      if (canStart(w)) {
        this.uncount(w);
        start(w);
      } else a[head + kept++] = w;
    }
    if (i === head) return;
    // The kept ones move up against the rest, in order; the spent slots before them are cleared.
    const to = i - kept;
    for (let k = kept - 1; k >= 0; k--) a[to + k] = a[head + k];
    for (let k = head; k < to; k++) a[k] = undefined;
    this.head = to;
    if (this.head >= COMPACT_AT && this.head * 2 >= a.length) {
      this.items = a.slice(this.head);
      this.head = 0;
    }
  }

  /** Whether run `runId` waits here. */
  has(runId: number): boolean {
    for (let i = this.head; i < this.items.length; i++) if ((this.items[i] as Waiting<T>).task.runId === runId) return true;
    return false;
  }

  /** The run ids of the waiting tasks. */
  runIds(): number[] {
    const ids: number[] = [];
    for (let i = this.head; i < this.items.length; i++) ids.push((this.items[i] as Waiting<T>).task.runId);
    return ids;
  }

  /** Takes out and returns the waiting tasks that `match`, in order. */
  removeWhere(match: (w: Waiting<T>) => boolean): Waiting<T>[] {
    const out: Waiting<T>[] = [];
    const rest: Waiting<T>[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const w = this.items[i] as Waiting<T>;
      if (match(w)) {
        out.push(w);
        this.uncount(w);
      } else rest.push(w);
    }
    if (out.length > 0) {
      this.items = rest;
      this.head = 0;
    }
    return out;
  }

  /** Takes out every waiting task, in order. */
  removeAll(): Waiting<T>[] {
    return this.removeWhere(() => true);
  }

  private uncount(w: Waiting<T>): void {
    const n = (this.counts.get(w.task.queue) ?? 1) - 1;
    if (n > 0) this.counts.set(w.task.queue, n);
    else this.counts.delete(w.task.queue);
  }
}
