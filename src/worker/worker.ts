/**
 * A worker process's engine and its lifecycle. It registers itself, then its parts run: the
 * claimer (claims within the free slots; wake-ups and polling; on PostgreSQL the hand-off of
 * tasks enqueued while it is idle), the dispatcher (starts claimed
 * tasks as slots free up; routes cancels), the lease keeper (heartbeats, lost leases, hand-back
 * of tasks that waited too long), the rescuer (expired leases of dead workers) and the
 * scheduler loop. stop() shuts them down in order, gracefully.
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
import { raw } from "@/db/dialect";
import { claimBatchFor, type QueueConfig } from "@/queue/config";
import type { Registry } from "@/queue/registry";
import { connOf, execute, type Conn } from "@/queue/sql/executor";
import { registerWorker, stopWorker } from "@/queue/sql/lease";
import { RunAborted } from "./abort";
import { SAFETY_NET_PAGES, startCheckpointer, type Checkpointer } from "./checkpointer";
import { Claimer } from "./claimer";
import { ComputePool } from "./compute-pool";
import { Dispatcher } from "./dispatcher";
import { Handoff } from "./handoff";
import { Inflight } from "./inflight";
import { LeaseKeeper } from "./leaseKeeper";
import { Rescuer } from "./rescuer";
import { SchedulerLoop } from "./scheduler";
import { AlertLoop, alertsEveryMs } from "@/alerts/loop";
import { statsEveryMs, statsLoop } from "./statsLoop";
import type { LeasedLoop } from "@/queue/leasedLoop";
import { Slots } from "./slots";
import { VacuumKeeper } from "./vacuumKeeper";
import { listenPostgres, watchSqlite, type Wakeup } from "./wakeup";

/** How a worker is made. */
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
  private readonly log: (message: string) => void;
  private readonly inflight = new Inflight();
  private readonly slots: Slots;
  private readonly runs: Dispatcher;
  private readonly claimer: Claimer;
  private readonly leases: LeaseKeeper;
  private readonly rescuer: Rescuer;
  private wakeup: Wakeup | null = null;
  private handoff: Handoff | null = null;
  private pool: ComputePool | null = null;
  private scheduler: SchedulerLoop | null = null;
  private alerts: AlertLoop | null = null;
  private stats: LeasedLoop | null = null;
  private checkpointer: Checkpointer | null = null;
  private vacuum: VacuumKeeper | null = null;
  private started = false;
  private stopping = false;

  constructor(private readonly opts: WorkerOptions) {
    const { config, database } = opts;
    this.id = opts.id ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.conn = connOf(database.db, database.provider);
    this.log = opts.log ?? ((m) => console.log(`[worker ${this.id}] ${m}`));
    this.slots = new Slots(config, claimBatchFor(config, database.provider));
    const pool = () => (this.pool ??= new ComputePool(config.jobNum, opts.registryModule ?? DEFAULT_REGISTRY));
    // What executing a task needs, the same for every run (built once: a run is started per task).
    const deps = {
      workerId: this.id,
      conn: this.conn,
      registry: opts.registry,
      config,
      pool,
      compute: (fn: string, input: unknown, signal: AbortSignal) => pool().run(`fn:${fn}`, input, signal, () => undefined),
      log: this.log,
    };
    const pump = () => this.claimer.pump();
    this.runs = new Dispatcher(this.slots, deps, { slotsFreed: pump, closesCaughtUp: pump, runClosed: (q) => this.claimer.runClosed(q) });
    this.leases = new LeaseKeeper(this.id, this.conn, config, this.runs, this.inflight, this.log);
    this.claimer = new Claimer(this.id, this.conn, config, this.slots, this.runs, this.inflight, () => this.leases.checkCancels(), this.log);
    this.rescuer = new Rescuer(this.conn, config.rescueMs, this.inflight, pump, this.log);
  }

  /** Tasks this worker holds: handlers running, runs being closed, claimed tasks waiting for a slot. */
  get running(): number {
    return this.runs.size;
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
    const handlers = {
      onWake: () => this.claimer.woke(),
      // PostgreSQL names the run; a change of SQLite's WAL could be anyone's cancel: ask the database.
      onCancel: (runId: number | null) => (runId === null ? this.leases.checkCancels() : this.runs.cancel(runId)),
    };
    if (database.provider === "postgres" && config.handoff) {
      this.handoff = new Handoff(this.id, this.conn, firstLeaseMs(config), this.runs, () => this.claimer.pump(), this.inflight, this.log);
      this.claimer.handoff = this.handoff;
    }
    this.wakeup =
      database.provider === "postgres"
        ? listenPostgres(database.url, handlers, this.log, this.handoff ?? undefined)
        : watchSqlite(database.file as string, handlers, this.log);
    this.claimer.wakeup = this.wakeup;
    this.leases.start();
    await this.rescuer.start();
    if (config.schedulerMs > 0) {
      this.scheduler = new SchedulerLoop(this.conn, this.opts.registry, this.id, config.schedulerMs, this.log);
      this.scheduler.start();
    }
    this.alerts = new AlertLoop(database, this.conn, this.opts.registry, this.id, alertsEveryMs(), this.log);
    this.alerts.start();
    this.stats = statsLoop(this.conn, this.id, statsEveryMs(), this.log);
    this.stats.start();
    if (database.provider === "postgres" && config.vacuumCheckMs > 0) {
      const vacuum = (this.vacuum = new VacuumKeeper(this.conn, config.vacuumCheckMs, this.log));
      vacuum.start();
      this.claimer.onIdle = () => vacuum.idle();
    }
    this.claimer.pump();
  }

  /**
   * Graceful shutdown: stop claiming, give running tasks `graceMs` to finish, then abort
   * the rest so they go back to the queue, and deregister.
   */
  async stop(graceMs = this.opts.config.graceMs): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.runs.stopStarting();
    this.rescuer.stop();
    this.claimer.stop();
    await this.scheduler?.stop();
    await this.alerts?.stop();
    await this.stats?.stop();
    await this.vacuum?.stop();
    await this.wakeup?.close();
    // Claimed ahead but not started: back to the queue now, not after the grace period.
    this.runs.handBackWaiting();
    if (this.runs.activeCount > 0) {
      this.log(`stopping: waiting up to ${graceMs} ms for ${this.runs.activeCount} running task(s)`);
      const graceOver = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
      if ((await Promise.race([this.runs.allClosed(), graceOver])) === "timeout") {
        this.log(`grace period over: handing ${this.runs.activeCount} task(s) back to the queue`);
        this.runs.abortAll(new RunAborted("shutdown", "worker shutting down"));
        // Let the handlers see the abort and close their runs ("requeued"); abandoned ones are closed too.
        await this.runs.allClosed();
      }
    }
    // It beat through the grace period: tasks finishing in it still needed their leases.
    this.leases.stop();
    // The caller closes the database next: a claim or heartbeat still using a connection would
    // make that close wait forever (and the claim's transaction fail half-way).
    await this.inflight.drain();
    // An offer still standing is withdrawn; a task handed to us meanwhile is taken in, to go back below.
    await this.handoff?.stop().catch((err: unknown) => this.log(`withdrawing the hand-off offer failed: ${(err as Error).message}`));
    // A claim that was in flight when the stop began: what it brought goes straight back.
    if (this.runs.waitingCount > 0) {
      this.runs.handBackWaiting();
      await this.runs.allClosed();
    }
    await this.pool?.close();
    await this.checkpointer?.stop();
    await stopWorker(this.conn, this.id).catch((err) => this.log(`deregistering failed: ${(err as Error).message}`));
  }
}

/**
 * The lease a task handed to this worker starts with (see Handoff): three heartbeats, within
 * the configured lease. Heartbeats come every heartbeatMs, so a live worker renews it two
 * heartbeats before it could run out (the same margin the configuration demands of the lease).
 */
export function firstLeaseMs(config: Pick<QueueConfig, "leaseMs" | "heartbeatMs">): number {
  return Math.min(config.leaseMs, 3 * config.heartbeatMs);
}

/** Creates a worker; call start() to run it. */
export function createWorker(opts: WorkerOptions): QueueWorker {
  return new QueueWorker(opts);
}
