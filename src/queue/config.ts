/**
 * Engine and worker configuration: defaults, overridden by environment variables, validated
 * once. Everything time-related is in milliseconds.
 *
 *   QTASK_CONCURRENCY      total tasks a worker process runs at once          (default 10)
 *   QTASK_QUEUES           queues served, with optional per-queue limits,
 *                          e.g. "crawl:2,compute,default:8"            (default crawl,compute,default,groups:2,scripts:4)
 *   JOB_NUM                compute threads in the worker's pool               (default: number of cores)
 *   QTASK_LEASE_MS         how long a claim stays valid without a heartbeat   (default 30000)
 *   QTASK_HEARTBEAT_MS     how often a worker renews its leases               (default 2000)
 *   QTASK_RESCUE_MS        how often expired leases are looked for            (default 5000)
 *   QTASK_POLL_MS          fallback poll interval when no wake-up arrives     (default 1000)
 *   QTASK_GRACE_MS         SIGTERM: time running tasks get to finish          (default 10000)
 *   QTASK_ABANDON_MS       a fast handler ignoring its AbortSignal is
 *                          abandoned after this long                          (default 2000)
 *   QTASK_BACKOFF_BASE_MS / QTASK_BACKOFF_MAX_MS  retry backoff               (default 1000 / 600000)
 *   QTASK_CLAIM_BATCH      most tasks claimed per round trip      (default 1000 on PostgreSQL, 200 on SQLite)
 *   QTASK_PREFETCH_MS      claim ahead of free slots, for queues whose tasks
 *                          are short: as many as the slots get through in
 *                          this long at the queue's recent pace; 0: never     (default 10)
 *   QTASK_LOG_MAX_LINES    log lines kept per run before truncation           (default 100000)
 *   QTASK_SCHEDULER_MS     how often the scheduler looks for due schedules;
 *                          0 turns the scheduler off in this worker           (default 1000)
 *   QTASK_HANDOFF          PostgreSQL: an idle worker offers a slot, and a task
 *                          enqueued on its own is leased to it by the enqueue
 *                          itself, without a claim; 0 turns it off            (default 1)
 */
import os from "node:os";
import { z } from "zod";

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/** One queue served by a worker and its concurrency limit (null: bounded only by the total). */
export interface QueueLimit {
  name: string;
  limit: number | null;
}

const queueName = /^[a-z][a-z0-9_-]{0,63}$/;

/** Parses "crawl:2,compute,default:8". */
export function parseQueues(spec: string): QueueLimit[] {
  const out: QueueLimit[] = [];
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, limit] = part.split(":");
    if (!queueName.test(name)) throw new Error(`invalid queue name ${JSON.stringify(name)} in QTASK_QUEUES`);
    if (out.some((q) => q.name === name)) throw new Error(`queue ${name} listed twice in QTASK_QUEUES`);
    if (limit !== undefined && !/^[1-9][0-9]*$/.test(limit)) throw new Error(`invalid limit ${JSON.stringify(limit)} for queue ${name}`);
    out.push({ name, limit: limit === undefined ? null : Number(limit) });
  }
  if (out.length === 0) throw new Error("QTASK_QUEUES names no queue");
  return out;
}

const EnvSchema = z.object({
  QTASK_CONCURRENCY: int(1, 1000).default(10),
  QTASK_QUEUES: z.string().default("crawl,compute,default,groups:2,scripts:4"),
  JOB_NUM: int(1, 256).optional(),
  QTASK_LEASE_MS: int(1000).default(30_000),
  QTASK_HEARTBEAT_MS: int(100).default(2_000),
  QTASK_RESCUE_MS: int(100).default(5_000),
  QTASK_POLL_MS: int(10).default(1_000),
  QTASK_GRACE_MS: int(0).default(10_000),
  QTASK_ABANDON_MS: int(0).default(2_000),
  QTASK_BACKOFF_BASE_MS: int(0).default(1_000),
  QTASK_BACKOFF_MAX_MS: int(0).default(600_000),
  QTASK_CLAIM_BATCH: int(1, 1000).optional(),
  QTASK_PREFETCH_MS: int(0, 60_000).default(10),
  QTASK_LOG_MAX_LINES: int(10).default(100_000),
  QTASK_SCHEDULER_MS: int(0).default(1_000),
  QTASK_VACUUM_CHECK_MS: int(0).default(10_000),
  QTASK_HANDOFF: z.enum(["0", "1", "false", "true", "off", "on"]).default("1"),
});

/** The resolved configuration of the engine and a worker. */
export interface QueueConfig {
  concurrency: number;
  queues: QueueLimit[];
  jobNum: number;
  leaseMs: number;
  heartbeatMs: number;
  rescueMs: number;
  pollMs: number;
  graceMs: number;
  abandonMs: number;
  backoff: { baseMs: number; maxMs: number };
  /** Most tasks claimed per round trip; null: the database's default (see claimBatchFor). */
  claimBatch: number | null;
  /** Claimed tasks may wait for a slot about this long at their queue's pace (see QueueWorker.prefetchFor). */
  prefetchMs: number;
  logMaxLines: number;
  /** Scheduler tick in ms; 0: this worker never fires schedules. */
  schedulerMs: number;
  /**
   * PostgreSQL: an idle worker checks for bloated engine tables at most this often (busy: six
   * times less often) and vacuums them if autovacuum does not (see worker/vacuumKeeper.ts); 0: never.
   */
  vacuumCheckMs: number;
  /** PostgreSQL: an idle worker offers its slot to enqueues (see src/queue/sql/handoff.ts). */
  handoff: boolean;
}

/** Reads the configuration from the environment (defaults for what is unset); throws with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<QueueConfig> = {}): QueueConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in EnvSchema.shape && v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid queue configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  const cfg: QueueConfig = {
    concurrency: e.QTASK_CONCURRENCY,
    queues: parseQueues(e.QTASK_QUEUES),
    jobNum: e.JOB_NUM ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
    leaseMs: e.QTASK_LEASE_MS,
    heartbeatMs: e.QTASK_HEARTBEAT_MS,
    rescueMs: e.QTASK_RESCUE_MS,
    pollMs: e.QTASK_POLL_MS,
    graceMs: e.QTASK_GRACE_MS,
    abandonMs: e.QTASK_ABANDON_MS,
    backoff: { baseMs: e.QTASK_BACKOFF_BASE_MS, maxMs: e.QTASK_BACKOFF_MAX_MS },
    claimBatch: e.QTASK_CLAIM_BATCH ?? null,
    prefetchMs: e.QTASK_PREFETCH_MS,
    logMaxLines: e.QTASK_LOG_MAX_LINES,
    schedulerMs: e.QTASK_SCHEDULER_MS,
    vacuumCheckMs: e.QTASK_VACUUM_CHECK_MS,
    handoff: ["1", "true", "on"].includes(e.QTASK_HANDOFF),
    ...overrides,
  };
  // Group parents wait for their children: if waiting parents could fill every slot, the
  // children could never run.
  const groups = cfg.queues.find((q) => q.name === "groups");
  if (groups && (groups.limit === null || groups.limit >= cfg.concurrency)) {
    throw new Error(`invalid queue configuration: the groups queue needs a limit below QTASK_CONCURRENCY (${cfg.concurrency}), e.g. groups:2`);
  }
  // A heartbeat slower than the lease would let healthy tasks be rescued.
  if (cfg.heartbeatMs * 2 > cfg.leaseMs) {
    throw new Error(`invalid queue configuration: QTASK_HEARTBEAT_MS (${cfg.heartbeatMs}) must be at most half of QTASK_LEASE_MS (${cfg.leaseMs})`);
  }
  return cfg;
}

/**
 * The claim batch a worker uses: QTASK_CLAIM_BATCH, else 1000 on PostgreSQL and 200 on SQLite.
 * On PostgreSQL every claim and every close is a round trip to a server process with a fixed
 * cost per statement, and larger claims keep a claim and a batch of closes in flight together:
 * draining no-op tasks with 1,000 instead of 200 was 13–27% faster (interleaved runs; 2,000
 * was no faster than 1,000). On SQLite a claim holds the write lock that closes wait for, and
 * 800 instead of 200 was about 8% slower. Claiming ahead stays bounded by QTASK_PREFETCH_MS
 * of work at the queue's pace either way, so long tasks are never claimed in bulk.
 */
export function claimBatchFor(config: QueueConfig, provider: "sqlite" | "postgres"): number {
  return config.claimBatch ?? (provider === "postgres" ? 1000 : 200);
}
