/**
 * A worker process's engine: registers itself, claims tasks of its queues within the
 * per-queue and total concurrency, executes them, renews their leases, rescues expired
 * leases of dead workers, and shuts down gracefully.
 *
 *   const worker = createWorker({ database, registry, config: loadConfig() });
 *   await worker.start();
 *   …
 *   await worker.stop(); // stop claiming, let running tasks finish within the grace period
 */
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Database } from "@/db/client";
import { claimBatchFor, type QueueConfig } from "@/queue/config";
import type { Registry } from "@/queue/registry";
import { claimTasks, msUntilNextDue, type ClaimedTask } from "@/queue/sql/claim";
import { connOf, execute, type Conn } from "@/queue/sql/executor";
import { cancelRequests, heartbeat, registerWorker, rescueExpired, stopWorker } from "@/queue/sql/lease";
import { RunAbort, RunAborted } from "./abort";
import { ComputePool } from "./compute-pool";
import { executeTask, type ExecuteDeps } from "./execute";
import { listenPostgres, watchSqlite, type Wakeup } from "./wakeup";
import { SchedulerLoop } from "./scheduler";
import { SAFETY_NET_PAGES, startCheckpointer, type Checkpointer } from "./checkpointer";
import { raw } from "@/db/dialect";

interface Active {
  task: ClaimedTask;
  controller: RunAbort;
  done: Promise<void>;
  /** The handler is still running (false: it finished and the run is being closed). */
  handling: boolean;
  /** performance.now() when the handler started. */
  startedAt: number;
}

/** A claimed task waiting here for a free slot (see prefetchFor()). */
interface Waiting {
  task: ClaimedTask;
  /** performance.now() when it was claimed. */
  claimedAt: number;
}

/** Past this age a waiting task goes back to the queue, for any worker to take. */
const WAIT_LIMIT_MS = 2_000;

export interface WorkerOptions {
  database: Database;
  registry: Registry;
  config: QueueConfig;
  /** Module exporting `registry`, loaded by compute threads (default: the app's src/tasks). */
  registryModule?: string;
  /** Worker id (default: host-pid-random). */
  id?: string;
  /** Where the worker's own messages go (default: console). */
  log?: (message: string) => void;
}

const DEFAULT_REGISTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../tasks/index.ts");

/** The worker engine of one process. */
export class QueueWorker {
  readonly id: string;
  private readonly conn: Conn;
  /** Runs not yet closed: their handlers are running, or their closes are being written. */
  private readonly active = new Map<number, Active>();
  /** Claimed tasks whose handlers have not started, in claim (priority) order. */
  private waiting: Waiting[] = [];
  /** Per queue: a moving average of how long its handlers took, in ms. */
  private readonly paceMs = new Map<string, number>();
  private readonly queueConfig: Map<string, QueueConfig["queues"][number]>;
  /** Handlers running, in all and per queue: what the concurrency limits count. */
  private handling = 0;
  private readonly handlingIn = new Map<string, number>();
  /** Runs whose handler finished and whose close is not written yet. */
  private closing = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private wakeup: Wakeup | null = null;
  private pool: ComputePool | null = null;
  private scheduler: SchedulerLoop | null = null;
  private checkpointer: Checkpointer | null = null;
  private pumping = false;
  private pumpAgain = false;
  /** A pump is scheduled for the end of this turn of the event loop (see handlerDone()). */
  private pumpSoon = false;
  /** Wake-ups paused because the worker is busy (see busy()). */
  private wakeupsPaused = false;
  /** While wake-ups are paused on SQLite, cancel requests are asked for on this timer instead. */
  private cancelPoll: NodeJS.Timeout | null = null;
  private cancelCheckAt = 0;
  private stopping = false;
  private started = false;
  /** Background database work in flight (claims, polls, heartbeats, rescues), awaited on stop. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly log: (message: string) => void;
  /** Most tasks per claim (claimBatchFor). */
  private readonly claimBatch: number;
  /** What executeTask needs, the same for every run (built once: launch() is per task). */
  private readonly deps: ExecuteDeps;

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.conn = connOf(opts.database.db, opts.database.provider);
    this.log = opts.log ?? ((m) => console.log(`[worker ${this.id}] ${m}`));
    this.queueConfig = new Map(opts.config.queues.map((q) => [q.name, q]));
    this.claimBatch = claimBatchFor(opts.config, opts.database.provider);
    const pool = () => (this.pool ??= new ComputePool(this.opts.config.jobNum, this.opts.registryModule ?? DEFAULT_REGISTRY));
    this.deps = {
      workerId: this.id,
      conn: this.conn,
      registry: opts.registry,
      config: opts.config,
      pool,
      compute: (fn, input, signal) => pool().run(`fn:${fn}`, input, signal, () => undefined),
      log: this.log,
    };
  }

  /** Tasks this worker holds: handlers running, runs being closed, claimed tasks waiting for a slot. */
  get running(): number {
    return this.active.size + this.waiting.length;
  }

  /**
   * Most finished runs waiting for their closes before claiming pauses. A slot is free again
   * as soon as its handler returns, so the next claim overlaps the group-committed close of
   * the last ones instead of waiting for it; this bounds how far closes may fall behind.
   */
  private get closingCap(): number {
    return Math.max(2 * this.opts.config.concurrency, this.claimBatch);
  }

  /** Registers the worker and starts claiming. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { config, database } = this.opts;
    await registerWorker(this.conn, {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      queues: config.queues.map((q) => (q.limit ? `${q.name}:${q.limit}` : q.name)).join(","),
    });
    if (database.provider === "sqlite" && database.file) {
      this.checkpointer = startCheckpointer(database.file, 100, this.log);
      await execute(this.conn, raw(`PRAGMA wal_autocheckpoint = ${SAFETY_NET_PAGES}`));
    }
    const handlers = { onWake: () => this.pump(), onCancel: (runId: number | null) => this.onCancel(runId) };
    this.wakeup =
      database.provider === "postgres" ? listenPostgres(database.url, handlers, this.log) : watchSqlite(database.file as string, handlers, this.log);
    // Kept running through a graceful stop: tasks finishing in the grace period still need their leases.
    this.heartbeatTimer = setInterval(
      () => void this.track(this.beat()).catch((err) => this.log(`heartbeat failed: ${(err as Error).message}`)),
      config.heartbeatMs,
    );
    // Rescue is jittered so that many workers started together do not all scan at once.
    this.every(config.rescueMs, () => this.rescue(), Math.random() * config.rescueMs);
    await this.rescue();
    if (config.schedulerMs > 0) {
      this.scheduler = new SchedulerLoop(this.conn, this.opts.registry, this.id, config.schedulerMs, this.log);
      this.scheduler.start();
    }
    this.pump();
  }

  /**
   * Graceful shutdown: stop claiming, give running tasks `graceMs` to finish, then abort
   * the rest so they go back to the queue, and deregister.
   */
  async stop(graceMs = this.opts.config.graceMs): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await this.scheduler?.stop();
    if (this.cancelPoll) clearInterval(this.cancelPoll);
    await this.wakeup?.close();
    // Claimed ahead but not started: back to the queue now, not after the grace period.
    this.handBackWaiting();
    if (this.active.size > 0) {
      this.log(`stopping: waiting up to ${graceMs} ms for ${this.active.size} running task(s)`);
      const all = Promise.all([...this.active.values()].map((a) => a.done));
      const graceOver = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
      if ((await Promise.race([all, graceOver])) === "timeout") {
        this.log(`grace period over: handing ${this.active.size} task(s) back to the queue`);
        for (const a of this.active.values()) a.controller.abort(new RunAborted("shutdown", "worker shutting down"));
        // Let the handlers see the abort and close their runs ("requeued"); abandoned ones are closed too.
        await Promise.all([...this.active.values()].map((a) => a.done));
      }
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    // The caller closes the database next: a claim or heartbeat still using a connection would
    // make that close wait forever (and the claim's transaction fail half-way).
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    // A claim that was in flight when the stop began: what it brought goes straight back.
    if (this.waiting.length > 0) {
      this.handBackWaiting();
      await Promise.all([...this.active.values()].map((a) => a.done));
    }
    await this.pool?.close();
    await this.checkpointer?.stop();
    await stopWorker(this.conn, this.id).catch((err) => this.log(`deregistering failed: ${(err as Error).message}`));
  }

  /** Remembers a background promise until it settles, so stop() can wait for it. */
  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p)).catch(() => undefined);
    return p;
  }

  private every(ms: number, fn: () => Promise<unknown>, firstDelay?: number): void {
    const run = () => void this.track(fn()).catch((err) => this.log(`${fn.name || "periodic job"} failed: ${(err as Error).message}`));
    if (firstDelay !== undefined) {
      const t = setTimeout(() => {
        run();
        this.timers.push(setInterval(run, ms));
      }, firstDelay);
      this.timers.push(t);
    } else {
      this.timers.push(setInterval(run, ms));
    }
  }

  /** Claims what the free slots allow, across all queues at once, until nothing more is due. */
  pump(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void this.track(this.claimLoop())
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

  /** Next pump: at the poll interval, or sooner when a delayed or retried task falls due. */
  private async schedulePoll(): Promise<void> {
    if (this.stopping) return;
    let delay = this.opts.config.pollMs;
    const open = this.queuesWithCapacity();
    if (open.length > 0) {
      const due = await this.track(msUntilNextDue(this.conn, open)).catch(() => null);
      // At least 10 ms: a task due now that we could not claim was taken by another worker.
      if (due !== null) delay = Math.min(delay, Math.max(10, due + 1));
    }
    if (this.stopping) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.pump(), delay);
  }

  /** Slots free in queue q: bounded by its own limit and by the worker's total. */
  private freeSlots(q: QueueConfig["queues"][number]): number {
    const inQueue = this.handlingIn.get(q.name) ?? 0;
    return Math.max(0, Math.min(this.opts.config.concurrency - this.handling, (q.limit ?? Infinity) - inQueue));
  }

  private queuesWithCapacity(): string[] {
    if (this.closing >= this.closingCap) return [];
    return this.opts.config.queues.filter((q) => this.freeSlots(q) > 0).map((q) => q.name);
  }

  /**
   * How many claimed tasks of queue q may wait here for a slot. Claiming only for free slots
   * costs a round trip per handful of tasks when tasks are short; claiming ahead (as Graphile
   * Worker's local queue does) costs nothing when they are short, but holds back tasks other
   * workers could run when they are long. So: as many as q's slots get through in
   * config.prefetchMs at q's recent pace, none before one of q's handlers has finished, and
   * none while one of them has been running longer than the pace says.
   */
  private prefetchFor(q: QueueConfig["queues"][number], now: number): number {
    const { config } = this.opts;
    const pace = this.paceMs.get(q.name);
    if (pace === undefined || config.prefetchMs === 0) return 0;
    let slowest = pace;
    for (const a of this.active.values()) if (a.handling && a.task.queue === q.name) slowest = Math.max(slowest, now - a.startedAt);
    const slots = Math.min(config.concurrency, q.limit ?? Infinity);
    // A floor on the pace: a no-op handler takes microseconds, and the claim batch caps it anyway.
    return Math.min(this.claimBatch, Math.floor((slots * config.prefetchMs) / Math.max(slowest, 0.05)));
  }

  /** One claim statement per round for every queue with room, until a round comes back short. */
  private async claimLoop(): Promise<void> {
    const { config } = this.opts;
    while (!this.stopping) {
      this.startWaiting();
      const now = performance.now();
      const waitingIn = new Map<string, number>();
      for (const w of this.waiting) waitingIn.set(w.task.queue, (waitingIn.get(w.task.queue) ?? 0) + 1);
      // Per queue: its free slots and what may wait for them, less what already waits.
      let ahead = 0;
      const slots: Record<string, number> = {};
      for (const q of config.queues) {
        const may = this.prefetchFor(q, now);
        ahead = Math.max(ahead, may);
        slots[q.name] = Math.max(0, this.freeSlots(q) + may - (waitingIn.get(q.name) ?? 0));
      }
      const free = config.concurrency - this.handling;
      const limit = Math.min(
        this.claimBatch,
        free + ahead - this.waiting.length,
        Object.values(slots).reduce((a, b) => a + b, 0),
      );
      // Every slot is taken and enough is waiting: top up once half of it has started, in one
      // claim, rather than a claim for every few slots that free up.
      const toppedUp = free <= 0 && this.waiting.length > ahead / 2;
      if (limit <= 0 || toppedUp || this.closing >= this.closingCap) {
        this.busy(true);
        return;
      }
      const claimed = await claimTasks(this.conn, { workerId: this.id, slots, limit, leaseMs: config.leaseMs });
      const claimedAt = performance.now();
      for (const task of claimed) this.waiting.push({ task, claimedAt });
      this.startWaiting();
      // Short: nothing more is due in the open queues right now. If wake-ups were paused, a
      // commit made before they resumed went unheard: claim once more to cover it.
      if (claimed.length < limit && !this.busy(false)) return;
    }
  }

  /** Starts waiting tasks, oldest claim first, while their queues have free slots. */
  private startWaiting(): void {
    if (this.waiting.length === 0 || this.stopping || this.handling >= this.opts.config.concurrency) return;
    // Compacted in place rather than copied: with a thousand claimed ahead and a few slots
    // freed at a time, each call copied the whole rest of the list.
    const waiting = this.waiting;
    let kept = 0;
    let i = 0;
    for (; i < waiting.length && this.handling < this.opts.config.concurrency; i++) {
      const w = waiting[i];
      const q = this.queueConfig.get(w.task.queue);
      if (q && this.freeSlots(q) > 0) this.launch(w.task);
      else waiting[kept++] = w;
    }
    if (kept === i) return;
    waiting.copyWithin(kept, i);
    waiting.length -= i - kept;
  }

  /**
   * Hands waiting tasks back to the queue without running them: their runs end "requeued",
   * which uses up no attempt. The caller has taken them out of `waiting`.
   */
  private release(items: Waiting[], reason: string): void {
    for (const w of items) this.launch(w.task, new RunAborted("release", reason));
  }

  /** Shutting down: every waiting task goes back to the queue. */
  private handBackWaiting(): void {
    const all = this.waiting;
    this.waiting = [];
    this.release(all, "worker shut down before the task started");
  }

  /**
   * Pauses wake-ups while every slot is taken (each finishing task claims again anyway; on
   * SQLite the worker's own commits would wake it thousands of times a second) and resumes
   * them when it waits for work; true when they were just resumed. Cancels, which also come
   * by wake-up on SQLite, are asked for every 250 ms meanwhile.
   */
  private busy(paused: boolean): boolean {
    if (!this.wakeup?.pause || paused === this.wakeupsPaused) return false;
    this.wakeupsPaused = paused;
    if (paused) {
      this.wakeup.pause();
      this.cancelPoll = setInterval(() => this.onCancel(null), 250);
    } else {
      if (this.cancelPoll) clearInterval(this.cancelPoll);
      this.cancelPoll = null;
      this.wakeup.resume?.();
    }
    return !paused;
  }

  /** Starts task's handler, or with `abort`, closes its run without starting it. */
  private launch(task: ClaimedTask, abort?: RunAborted): void {
    const controller = new RunAbort();
    if (abort) controller.abort(abort);
    const entry: Active = { task, controller, done: Promise.resolve(), handling: true, startedAt: performance.now() };
    this.handling++;
    this.handlingIn.set(task.queue, (this.handlingIn.get(task.queue) ?? 0) + 1);
    entry.done = executeTask(this.deps, task, controller, () => this.handlerDone(entry))
      .catch((err) => this.log(`task ${task.id} run ${task.runId}: closing failed: ${(err as Error).stack ?? err}`))
      .finally(() => {
        const wasBlocked = this.closing >= this.closingCap;
        this.handlerDone(entry); // when executeTask ended before its handler did
        this.closing--;
        this.active.delete(task.runId);
        // The handler's end already pumped; a close only matters when claiming waited for it.
        if (wasBlocked) this.pump();
      });
    this.active.set(task.runId, entry);
  }

  /** The handler of `a` returned: its slot is free for the next claim (counted once). */
  private handlerDone(a: Active): void {
    if (!a.handling) return;
    a.handling = false;
    this.handling--;
    this.handlingIn.set(a.task.queue, (this.handlingIn.get(a.task.queue) ?? 1) - 1);
    this.closing++;
    if (!a.controller.aborted) {
      const took = performance.now() - a.startedAt;
      const pace = this.paceMs.get(a.task.queue);
      this.paceMs.set(a.task.queue, pace === undefined ? took : 0.8 * pace + 0.2 * took);
    }
    // Handlers finishing in the same turn of the event loop free their slots for one claim,
    // not one claim each.
    if (!this.pumpSoon) {
      this.pumpSoon = true;
      setImmediate(() => {
        this.pumpSoon = false;
        this.startWaiting();
        this.pump();
      });
    }
  }

  private onCancel(runId: number | null): void {
    if (this.running === 0) return;
    if (runId !== null) {
      const a = this.active.get(runId);
      if (a) a.controller.abort(new RunAborted("cancel", "cancelled by request"));
      const i = this.waiting.findIndex((w) => w.task.runId === runId);
      if (i >= 0) this.launch(this.waiting.splice(i, 1)[0].task, new RunAborted("cancel", "cancelled by request"));
      return;
    }
    // Unspecific hint (SQLite WAL change): ask the database, at most every 200 ms.
    const now = Date.now();
    if (now - this.cancelCheckAt < 200) return;
    this.cancelCheckAt = now;
    void this.track(cancelRequests(this.conn, this.heldRuns()))
      .then((ids) => ids.forEach((id) => this.onCancel(id)))
      .catch((err) => this.log(`cancel check failed: ${(err as Error).message}`));
  }

  private lastBeat = 0;

  /** Runs whose leases this worker holds: active ones and waiting ones. */
  private heldRuns(): number[] {
    return [...this.active.keys(), ...this.waiting.map((w) => w.task.runId)];
  }

  /**
   * Waiting tasks claimed more than WAIT_LIMIT_MS ago go back to the queue: the queue's pace
   * turned slow after they were claimed (prefetchFor() stops claiming ahead, but what it
   * already claimed would otherwise wait behind the slow ones while other workers idle).
   */
  private releaseStale(): void {
    const old = performance.now() - WAIT_LIMIT_MS;
    const stale = this.waiting.filter((w) => w.claimedAt < old);
    if (stale.length === 0) return;
    this.log(`handing ${stale.length} task(s) back to the queue: they waited over ${WAIT_LIMIT_MS} ms for a slot`);
    this.waiting = this.waiting.filter((w) => w.claimedAt >= old);
    this.release(stale, `waited over ${WAIT_LIMIT_MS} ms for a free slot on this worker`);
  }

  private async beat(): Promise<void> {
    const started = Date.now();
    // A late or slow heartbeat is how a live worker loses its leases: say so in its log.
    const late = this.lastBeat ? started - this.lastBeat - this.opts.config.heartbeatMs : 0;
    this.lastBeat = started;
    this.releaseStale();
    const res = await heartbeat(this.conn, { workerId: this.id, runIds: this.heldRuns(), leaseMs: this.opts.config.leaseMs });
    const took = Date.now() - started;
    if (late > this.opts.config.leaseMs / 4 || took > this.opts.config.leaseMs / 4)
      this.log(`heartbeat ${late > 0 ? `started ${late} ms late and ` : ""}took ${took} ms (lease ${this.opts.config.leaseMs} ms)`);
    for (const id of res.cancelRequested) this.onCancel(id);
    for (const id of res.lost) {
      // Waiting ones just go: their runs are someone else's to close now.
      this.waiting = this.waiting.filter((w) => w.task.runId !== id);
      const a = this.active.get(id);
      if (a && !a.controller.aborted) {
        this.log(`run ${id} (task ${a.task.id}) lost its lease; stopping it`);
        a.controller.abort(new RunAborted("lease_lost", "the run lost its lease"));
      }
    }
  }

  private async rescue(): Promise<void> {
    const rescued = await rescueExpired(this.conn);
    if (rescued.length > 0) {
      this.log(`rescued ${rescued.length} task(s) with expired leases: ${rescued.map((r) => `${r.taskId}→${r.status}`).join(", ")}`);
      this.pump();
    }
  }
}

/** Creates a worker; call start() to run it. */
export function createWorker(opts: WorkerOptions): QueueWorker {
  return new QueueWorker(opts);
}
