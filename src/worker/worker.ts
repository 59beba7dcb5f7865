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
import type { QueueConfig } from "@/queue/config";
import type { Registry } from "@/queue/registry";
import { claimTasks, msUntilNextDue, type ClaimedTask } from "@/queue/sql/claim";
import { connOf, execute, type Conn } from "@/queue/sql/executor";
import { cancelRequests, heartbeat, registerWorker, rescueExpired, stopWorker } from "@/queue/sql/lease";
import { RunAborted } from "./abort";
import { ComputePool } from "./compute-pool";
import { executeTask } from "./execute";
import { listenPostgres, watchSqlite, type Wakeup } from "./wakeup";
import { SchedulerLoop } from "./scheduler";
import { SAFETY_NET_PAGES, startCheckpointer, type Checkpointer } from "./checkpointer";
import { raw } from "@/queue/dialect";

interface Active {
  task: ClaimedTask;
  controller: AbortController;
  done: Promise<void>;
  /** The handler is still running (false: it finished and the run is being closed). */
  handling: boolean;
}

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

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.conn = connOf(opts.database.db, opts.database.provider);
    this.log = opts.log ?? ((m) => console.log(`[worker ${this.id}] ${m}`));
  }

  /** Tasks running right now (handlers, and runs being closed). */
  get running(): number {
    return this.active.size;
  }

  /**
   * Most finished runs waiting for their closes before claiming pauses. A slot is free again
   * as soon as its handler returns, so the next claim overlaps the group-committed close of
   * the last ones instead of waiting for it; this bounds how far closes may fall behind.
   */
  private get closingCap(): number {
    return Math.max(2 * this.opts.config.concurrency, this.opts.config.claimBatch);
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

  /** One claim statement per round for every queue with free slots, until a round comes back short. */
  private async claimLoop(): Promise<void> {
    const { config } = this.opts;
    while (!this.stopping) {
      const limit = Math.min(config.concurrency - this.handling, config.claimBatch);
      if (limit <= 0 || this.closing >= this.closingCap) {
        this.busy(true);
        return;
      }
      const slots = Object.fromEntries(config.queues.map((q) => [q.name, this.freeSlots(q)]));
      const claimed = await claimTasks(this.conn, { workerId: this.id, slots, limit, leaseMs: config.leaseMs });
      for (const task of claimed) this.launch(task);
      // Short: nothing more is due in the open queues right now. If wake-ups were paused, a
      // commit made before they resumed went unheard: claim once more to cover it.
      if (claimed.length < limit && !this.busy(false)) return;
    }
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

  private launch(task: ClaimedTask): void {
    const controller = new AbortController();
    const deps = {
      workerId: this.id,
      conn: this.conn,
      registry: this.opts.registry,
      config: this.opts.config,
      pool: () => (this.pool ??= new ComputePool(this.opts.config.jobNum, this.opts.registryModule ?? DEFAULT_REGISTRY)),
      log: this.log,
    };
    const entry: Active = { task, controller, done: Promise.resolve(), handling: true };
    this.handling++;
    this.handlingIn.set(task.queue, (this.handlingIn.get(task.queue) ?? 0) + 1);
    entry.done = executeTask(deps, task, controller, () => this.handlerDone(entry))
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
    // Handlers finishing in the same turn of the event loop free their slots for one claim,
    // not one claim each.
    if (!this.pumpSoon) {
      this.pumpSoon = true;
      setImmediate(() => {
        this.pumpSoon = false;
        this.pump();
      });
    }
  }

  private onCancel(runId: number | null): void {
    if (this.active.size === 0) return;
    if (runId !== null) {
      const a = this.active.get(runId);
      if (a) a.controller.abort(new RunAborted("cancel", "cancelled by request"));
      return;
    }
    // Unspecific hint (SQLite WAL change): ask the database, at most every 200 ms.
    const now = Date.now();
    if (now - this.cancelCheckAt < 200) return;
    this.cancelCheckAt = now;
    void this.track(cancelRequests(this.conn, [...this.active.keys()]))
      .then((ids) => ids.forEach((id) => this.onCancel(id)))
      .catch((err) => this.log(`cancel check failed: ${(err as Error).message}`));
  }

  private lastBeat = 0;

  private async beat(): Promise<void> {
    const started = Date.now();
    // A late or slow heartbeat is how a live worker loses its leases: say so in its log.
    const late = this.lastBeat ? started - this.lastBeat - this.opts.config.heartbeatMs : 0;
    this.lastBeat = started;
    const res = await heartbeat(this.conn, { workerId: this.id, runIds: [...this.active.keys()], leaseMs: this.opts.config.leaseMs });
    const took = Date.now() - started;
    if (late > this.opts.config.leaseMs / 4 || took > this.opts.config.leaseMs / 4)
      this.log(`heartbeat ${late > 0 ? `started ${late} ms late and ` : ""}took ${took} ms (lease ${this.opts.config.leaseMs} ms)`);
    for (const id of res.cancelRequested) this.onCancel(id);
    for (const id of res.lost) {
      const a = this.active.get(id);
      if (a && !a.controller.signal.aborted) {
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
