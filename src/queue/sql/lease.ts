/**
 * Leases and the processes that hold them: worker registration, the heartbeat that renews a
 * worker's leases (and tells it which of its runs were cancelled or lost), and the rescue of
 * runs whose lease expired because their worker died. All times are the database's clock.
 */
import { join, raw, sql } from "@/db/dialect";
import { LEASED_STATUS, RunStatus, statusIn, statusSql, targetOf, whenLegal } from "../states";
import { dialect, execute, query, toDate, transaction, type Conn } from "./executor";
import { noteChange } from "./changes";

/** A task whose lease a run holds (the heartbeat renews it; every write of the run is fenced on it). */
const HOLDS_LEASE = statusIn([LEASED_STATUS]);
/** Rescue decides in SQL among these; each is legal from the statuses it matches. */
const RESCUE_EVENTS = ["rescue", "rescue_fail", "cancel"] as const;
const RESCUABLE = whenLegal(RESCUE_EVENTS);

/** Registers (or re-registers) a worker process. */
export async function registerWorker(conn: Conn, w: { id: string; host: string; pid: number; queues: string }): Promise<void> {
  const d = dialect(conn);
  await execute(
    conn,
    sql`INSERT INTO workers (id, host, pid, queues, started_at, last_seen_at, running)
        VALUES (${w.id}, ${w.host}, ${w.pid}, ${w.queues}, ${d.now}, ${d.now}, 0)
        ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, stopped_at = NULL`,
  );
}

/** Marks a worker as stopped (graceful shutdown). */
export async function stopWorker(conn: Conn, workerId: string): Promise<void> {
  const d = dialect(conn);
  await execute(conn, sql`UPDATE workers SET stopped_at = ${d.now}, running = 0, last_seen_at = ${d.now} WHERE id = ${workerId}`);
}

/** What a heartbeat learned about the worker's runs. */
export interface HeartbeatResult {
  /** Runs whose task a user asked to cancel. */
  cancelRequested: number[];
  /** Runs that no longer hold their task's lease (rescued, or finished elsewhere): stop them. */
  lost: number[];
}

/** Renews the leases of the worker's active runs and records that the worker is alive. */
export async function heartbeat(conn: Conn, opts: { workerId: string; runIds: number[]; leaseMs: number }): Promise<HeartbeatResult> {
  const d = dialect(conn);
  return transaction(
    conn,
    async (tx) => {
      // The write comes first (SQLite: take the write lock before reading).
      await execute(
        tx,
        sql`UPDATE workers SET last_seen_at = ${d.now}, running = ${opts.runIds.length}, stopped_at = NULL WHERE id = ${opts.workerId}`,
      );
      if (opts.runIds.length === 0) return { cancelRequested: [], lost: [] };
      await execute(
        tx,
        sql`UPDATE tasks SET lease_expires_at = ${d.nowPlus(opts.leaseMs)}
          WHERE ${HOLDS_LEASE} AND run_id IN (${join(opts.runIds)})`,
      );
      const held = await query<{ run_id: number; cancel_requested: boolean | number }>(
        tx,
        sql`SELECT run_id, cancel_requested FROM tasks WHERE ${HOLDS_LEASE} AND run_id IN (${join(opts.runIds)})`,
      );
      const holding = new Set(held.map((h) => Number(h.run_id)));
      return {
        cancelRequested: held.filter((h) => Boolean(h.cancel_requested)).map((h) => Number(h.run_id)),
        lost: opts.runIds.filter((id) => !holding.has(id)),
      };
    },
    { urgent: true },
  );
}

/** Asks which of these runs have a pending cancel request (cheap; used on wake-ups). */
export async function cancelRequests(conn: Conn, runIds: number[]): Promise<number[]> {
  if (runIds.length === 0) return [];
  const rows = await query<{ run_id: number }>(
    conn,
    sql`SELECT run_id FROM tasks WHERE ${HOLDS_LEASE} AND cancel_requested AND run_id IN (${join(runIds)})`,
  );
  return rows.map((r) => Number(r.run_id));
}

/** One rescued task. */
export interface Rescued {
  taskId: number;
  runId: number | null;
  status: string;
}

/**
 * Rescues tasks whose lease expired: queued again at once while attempts are left (a dead
 * worker is not the task's fault, so no backoff), failed when they are used up, cancelled
 * when a cancel was pending. Their runs are closed as `lost`. Safe to run from every worker
 * at once: the UPDATE re-checks the expiry, and on PostgreSQL candidates are SKIP LOCKED.
 */
export async function rescueExpired(conn: Conn, limit = 500): Promise<Rescued[]> {
  const d = dialect(conn);
  const retry = sql`(NOT cancel_requested AND attempts < max_attempts)`;
  const rescued = await transaction(conn, async (tx) => {
    // Tasks first, then runs: the same lock order as closeRun, so the two never deadlock.
    const rows = await query<{ id: number; run_id: number | null; status: string }>(
      tx,
      // A MATERIALIZED CTE for the same reason as in claim.ts: evaluated once, LIMIT holds.
      sql`WITH expired AS MATERIALIZED (
            SELECT id FROM tasks WHERE ${RESCUABLE} AND lease_expires_at < ${d.now}
            ORDER BY lease_expires_at LIMIT ${limit} ${d.skipLocked}
          )
          UPDATE tasks SET
            status = CASE WHEN cancel_requested THEN ${targetOf("cancel")} WHEN ${retry} THEN ${targetOf("rescue")} ELSE ${targetOf("rescue_fail")} END,
            run_at = CASE WHEN ${retry} THEN ${d.now} ELSE run_at END,
            finished_at = CASE WHEN ${retry} THEN NULL ELSE ${d.now} END,
            idempotency_key = CASE WHEN ${retry} THEN idempotency_key ELSE NULL END,
            error = 'lease expired: worker ' || COALESCE(worker_id, '?') || ' stopped heartbeating',
            lease_expires_at = NULL, worker_id = NULL, changed_at = ${d.now}
          FROM expired
          WHERE tasks.id = expired.id AND ${whenLegal(RESCUE_EVENTS, { column: raw("tasks.status") })} AND tasks.lease_expires_at < ${d.now}
          RETURNING tasks.id, run_id, status`,
    );
    const runIds = rows
      .map((r) => r.run_id)
      .filter((r): r is number => r !== null)
      .map(Number);
    if (runIds.length > 0) {
      await execute(
        tx,
        sql`UPDATE runs SET status = ${statusSql(RunStatus.lost)}, finished_at = ${d.now}, error = 'lease expired: the worker stopped heartbeating (crashed, killed or cut off)'
            WHERE status = ${statusSql(RunStatus.running)} AND id IN (${join(runIds)})`,
      );
    }
    return rows.map((r) => ({ taskId: Number(r.id), runId: r.run_id === null ? null : Number(r.run_id), status: r.status }));
  });
  if (rescued.length > 0) noteChange(conn);
  return rescued;
}

/** A worker that heartbeated recently and has not stopped. */
export interface LiveWorker {
  id: string;
  lastSeenAt: Date;
  running: number;
  host: string;
  /** The queues it serves, e.g. "crawl:2,compute" (QTASK_QUEUES). */
  queues: string;
}

/** Workers seen within `withinMs` by the database clock (hosts' clocks may disagree), oldest first. */
export async function liveWorkers(conn: Conn, withinMs: number): Promise<LiveWorker[]> {
  const d = dialect(conn);
  const rows = await query<{ id: string; last_seen_at: unknown; running: number; host: string; queues: string }>(
    conn,
    sql`SELECT id, last_seen_at, running, host, queues FROM workers
        WHERE stopped_at IS NULL AND last_seen_at >= ${d.nowPlus(-withinMs)}
        ORDER BY started_at, id`,
  );
  return rows.map((r) => ({ id: r.id, lastSeenAt: toDate(r.last_seen_at) as Date, running: Number(r.running), host: r.host, queues: r.queues }));
}
