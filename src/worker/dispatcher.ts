/**
 * The runs a worker holds and their handlers: claimed tasks wait here (in claim order) until
 * their queue has a free slot, then their handlers start; a run stays until its close is
 * written. Cancels, lost leases and hand-backs (shutdown, tasks that waited too long) are
 * routed to the run they concern. Slot counts live in Slots; nothing here talks to the
 * database except through executeTask.
 */
import type { ClaimedTask } from "@/queue/sql/claim";
import { RunAbort, RunAborted } from "./abort";
import { executeTask, type ExecuteDeps } from "./execute";
import type { Slots } from "./slots";
import { WaitList, type Waiting } from "./waitList";

/** A run whose handler is running, or whose close is being written. */
interface Active {
  task: ClaimedTask;
  controller: RunAbort;
  done: Promise<void>;
  /** performance.now() when the handler started. */
  startedAt: number;
}

/** What the dispatcher tells the worker. */
export interface DispatcherEvents {
  /** Handlers finished (once per turn of the event loop, however many): slots are free. */
  slotsFreed(): void;
  /** A close was written while claiming waited for closes to catch up. */
  closesCaughtUp(): void;
  /** A run of `queue` was closed (its task no longer counts as running in the database). */
  runClosed?(queue: string): void;
}

/** Starts claimed tasks as slots free up, and keeps track of them until their runs are closed. */
export class Dispatcher {
  private readonly active = new Map<number, Active>();
  /**
   * The runs of `active` whose handlers still run, oldest first: at most the concurrency,
   * where `active` also holds every run whose close is still being written (hundreds in a
   * busy drain), and the claim plan asks for the longest-running handler on every round.
   */
  private readonly handling = new Set<Active>();
  private readonly waiting = new WaitList<ClaimedTask>();
  /** slotsFreed is scheduled for the end of this turn of the event loop. */
  private freeSoon = false;
  private stopping = false;

  constructor(
    private readonly slots: Slots,
    private readonly deps: ExecuteDeps,
    private readonly events: DispatcherEvents,
  ) {}

  /** Runs held: handlers running, runs being closed, claimed tasks waiting for a slot. */
  get size(): number {
    return this.active.size + this.waiting.size;
  }

  /** Runs whose handlers started and whose closes are not written yet. */
  get activeCount(): number {
    return this.active.size;
  }

  /** Claimed tasks waiting for a slot. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** Waiting tasks per queue (kept up to date, not counted per call; read it, do not keep it). */
  waitingByQueue(): ReadonlyMap<string, number> {
    return this.waiting.byQueue;
  }

  /** How long the longest-running handler of `queue` has been running, in ms (0: none). */
  longestRunningMs(queue: string, now = performance.now()): number {
    let longest = 0;
    // Oldest first: the first of the queue is the longest-running.
    for (const a of this.handling) if (a.task.queue === queue) return now - a.startedAt;
    return 0;
  }

  /** Runs whose leases this worker holds: active ones and waiting ones. */
  heldRuns(): number[] {
    return [...this.active.keys(), ...this.waiting.runIds()];
  }

  /** Whether run `runId` is held here (waiting, running or being closed). */
  holds(runId: number): boolean {
    return this.active.has(runId) || this.waiting.has(runId);
  }

  /** Newly claimed tasks join the end of the wait list. */
  add(claimed: ClaimedTask[], claimedAt = performance.now()): void {
    for (const task of claimed) this.waiting.push({ task, claimedAt });
  }

  /** Starts waiting tasks, oldest claim first, while their queues have free slots. */
  startWaiting(): void {
    if (this.waiting.size === 0 || this.stopping || this.slots.full) return;
    this.waiting.startFromHead(
      () => this.slots.full,
      (w) => this.slots.freeIn(w.task.queue) > 0,
      (w) => this.launch(w.task),
    );
  }

  /** Routes a cancel request to its run: a running handler is aborted, a waiting task closed as cancelled unstarted. */
  cancel(runId: number): void {
    const a = this.active.get(runId);
    if (a) a.controller.abort(new RunAborted("cancel", "cancelled by request"));
    for (const w of this.waiting.removeWhere((w) => w.task.runId === runId)) this.launch(w.task, new RunAborted("cancel", "cancelled by request"));
  }

  /** A run lost its lease (rescued, or finished elsewhere): stop its handler; a waiting one just goes. */
  lost(runId: number, log: (m: string) => void): void {
    this.waiting.removeWhere((w) => w.task.runId === runId);
    const a = this.active.get(runId);
    if (a && !a.controller.aborted) {
      log(`run ${runId} (task ${a.task.id}) lost its lease; stopping it`);
      a.controller.abort(new RunAborted("lease_lost", "the run lost its lease"));
    }
  }

  /**
   * Waiting tasks claimed more than `limitMs` ago go back to the queue: their queue turned slow
   * after they were claimed (claiming ahead stops then, but what it already claimed would
   * otherwise wait behind the slow ones while other workers idle). Returns how many.
   */
  releaseStale(limitMs: number): number {
    const old = performance.now() - limitMs;
    const stale = this.waiting.removeWhere((w) => w.claimedAt < old);
    if (stale.length === 0) return 0;
    this.release(stale, `waited over ${limitMs} ms for a free slot on this worker`);
    return stale.length;
  }

  /** Shutting down: no waiting task starts any more. */
  stopStarting(): void {
    this.stopping = true;
  }

  /** Shutting down: every waiting task goes back to the queue. */
  handBackWaiting(): void {
    this.release(this.waiting.removeAll(), "worker shut down before the task started");
  }

  /** Aborts every running handler (their runs are closed by executeTask). */
  abortAll(reason: RunAborted): void {
    for (const a of this.active.values()) a.controller.abort(reason);
  }

  /** Settles when every run held now has been closed. */
  allClosed(): Promise<unknown> {
    return Promise.all([...this.active.values()].map((a) => a.done));
  }

  /**
   * Hands waiting tasks back to the queue without running them: their runs end "requeued",
   * which uses up no attempt. The caller has taken them out of `waiting`.
   */
  private release(items: Waiting<ClaimedTask>[], reason: string): void {
    for (const w of items) this.launch(w.task, new RunAborted("release", reason));
  }

  /** Starts task's handler, or with `abort`, closes its run without starting it. */
  private launch(task: ClaimedTask, abort?: RunAborted): void {
    const controller = new RunAbort();
    if (abort) controller.abort(abort);
    const entry: Active = { task, controller, done: Promise.resolve(), startedAt: performance.now() };
    this.slots.started(task.queue);
    this.handling.add(entry);
    entry.done = executeTask(this.deps, task, controller, () => this.handlerDone(entry))
      .catch((err) => this.deps.log(`task ${task.id} run ${task.runId}: closing failed: ${(err as Error).stack ?? err}`))
      .finally(() => {
        const wasBehind = this.slots.closesBehind;
        this.handlerDone(entry); // when executeTask ended before its handler did
        this.slots.closed();
        this.active.delete(task.runId);
        // The handler's end already freed its slot; a close only matters when claiming waited for it.
        if (wasBehind) this.events.closesCaughtUp();
        this.events.runClosed?.(task.queue);
      });
    this.active.set(task.runId, entry);
  }

  /** The handler of `a` returned: its slot is free for the next claim (counted once). */
  private handlerDone(a: Active): void {
    if (!this.handling.delete(a)) return;
    this.slots.finished(a.task.queue, a.controller.aborted ? null : performance.now() - a.startedAt);
    // Handlers finishing in the same turn of the event loop free their slots for one claim,
    // not one claim each.
    if (!this.freeSoon) {
      this.freeSoon = true;
      setImmediate(() => {
        this.freeSoon = false;
        this.startWaiting();
        this.events.slotsFreed();
      });
    }
  }
}
