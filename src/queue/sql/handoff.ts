/**
 * Hand-off (PostgreSQL): an idle worker offers one slot (a worker_offers row), and the next
 * single enqueue of one of its queues leases its task to that worker inside the INSERT itself
 * (enqueue.ts) and notifies the worker on the worker's own channel with the task, so the task
 * starts without a claim: the claim is the round trip it saves, about a third of the idle
 * latency from enqueue to start (bench/profile-latency.ts: notification at the worker 1.56 ms,
 * claim answered 2.77 ms).
 *
 * What keeps it as safe as a claim:
 * - The handed task is written exactly as a claim writes it (running, leased, a run opened), in
 *   the enqueue's transaction, so every later step (heartbeat, close, rescue) is the same.
 * - An offer is one slot, taken once: the enqueue deletes it; a worker withdraws it before it
 *   claims anything itself, and a worker whose offer was taken keeps a slot free for the task on
 *   its way (worker/claimer.ts).
 * - A worker that is gone is never handed anything: its listening session holds the advisory
 *   lock (OFFER_LOCK_CLASS, lock_key) while it lives, and an offer whose lock is free is
 *   deleted instead of taken. A notification lost in a reconnect is made up for by adopt():
 *   the worker asks for tasks leased to it that it does not hold.
 * - Only what a claim would take at once: no delay, no idempotency key (a conflict inserts
 *   nothing), a queue that is neither paused nor limited (enqueue.ts checks).
 */
import { raw, sql, type Sql } from "@/db/dialect";
import { LEASED_STATUS, statusIn } from "../states";
import { claimedOf, RETURNED, type ClaimedTask, type ClaimRow } from "./claimed";
import { dialect, execute, query, type Conn } from "./executor";

/** The class of the advisory locks that show a worker's listening session is alive (int4 "qtk"). */
export const OFFER_LOCK_CLASS = 7435371;

/** NOTIFY payloads must stay under 8000 bytes: a task whose message would not fit is sent as ids only. */
export const MAX_NOTIFY_BYTES = 7900;

/** What a worker offers: one slot for a task of any of `queues`, its first lease leaseMs long. */
export interface Offer {
  workerId: string;
  queues: string[];
  leaseMs: number;
  /** The advisory lock key its listening session holds. */
  lockKey: number;
  /** The channel it listens on for handed tasks. */
  channel: string;
}

/** Offers one slot of an idle worker (replacing an earlier offer of it). */
export async function makeOffer(conn: Conn, offer: Offer): Promise<void> {
  const d = dialect(conn);
  await execute(
    conn,
    sql`INSERT INTO worker_offers (worker_id, queues, lease_ms, lock_key, channel, offered_at)
        VALUES (${offer.workerId}, ${`,${offer.queues.join(",")},`}, ${offer.leaseMs}, ${offer.lockKey}, ${offer.channel}, ${d.now})
        ON CONFLICT (worker_id) DO UPDATE SET queues = excluded.queues, lease_ms = excluded.lease_ms,
          lock_key = excluded.lock_key, channel = excluded.channel, offered_at = excluded.offered_at`,
  );
}

/**
 * Withdraws the worker's offer; false when it was no longer there: an enqueue took it (its task
 * is on the way, or was already received) or found the worker's lock free and deleted it.
 */
export async function withdrawOffer(conn: Conn, workerId: string): Promise<boolean> {
  const rows = await query(conn, sql`DELETE FROM worker_offers WHERE worker_id = ${workerId} RETURNING worker_id`);
  return rows.length > 0;
}

/**
 * Tasks leased to this worker that it does not hold (`held`: run ids it holds): handed to it
 * while its notification could not arrive. The caller must not be claiming at the same time
 * (a task it just claimed would be found here too).
 */
export async function adoptHanded(conn: Conn, workerId: string, held: number[]): Promise<ClaimedTask[]> {
  return leased(conn, sql`worker_id = ${workerId} AND NOT (run_id = ANY(${held}::int[]))`);
}

/** The task of a hand-off whose message carried ids only, if its run still holds the lease. */
export async function handedTask(conn: Conn, taskId: number, runId: number): Promise<ClaimedTask | null> {
  return (await leased(conn, sql`id = ${taskId} AND run_id = ${runId}`))[0] ?? null;
}

/** Tasks whose lease a run holds, among those `where` picks, as claimed tasks. */
async function leased(conn: Conn, where: Sql): Promise<ClaimedTask[]> {
  const rows = await query<ClaimRow>(conn, sql`SELECT ${RETURNED}, tasks.run_id FROM tasks WHERE ${statusIn([LEASED_STATUS])} AND ${where}`);
  return rows.map(claimedOf);
}

/** A hand-off message: the whole task, or its ids when it was too large for a notification. */
export type Handed = { task: ClaimedTask } | { taskId: number; runId: number };

/** Reads a hand-off notification's payload (see handedMessage); null when it is not one. */
export function parseHanded(payload: string | undefined): Handed | null {
  if (!payload) return null;
  try {
    const m = JSON.parse(payload) as Record<string, unknown>;
    if (typeof m.id !== "number" || typeof m.run_id !== "number") return null;
    return typeof m.type === "string" ? { task: claimedOf(m as unknown as ClaimRow) } : { taskId: m.id, runId: m.run_id };
  } catch {
    return null;
  }
}

/**
 * SQL: the hand-off message of the task row `t` (a claim row's columns, as JSON), or its ids
 * alone when that would not fit in a notification.
 */
export function handedMessage(t: string) {
  const row = raw(t);
  const full = sql`json_build_object('id', ${row}.id, 'run_id', ${row}.run_id, 'type', ${row}.type, 'queue', ${row}.queue,
    'payload', ${row}.payload, 'priority', ${row}.priority, 'attempts', ${row}.attempts, 'max_attempts', ${row}.max_attempts,
    'timeout_ms', ${row}.timeout_ms, 'batch_id', ${row}.batch_id, 'parent_id', ${row}.parent_id, 'schedule_id', ${row}.schedule_id)::text`;
  return sql`(SELECT CASE WHEN octet_length(m) <= ${raw(String(MAX_NOTIFY_BYTES))} THEN m
                     ELSE json_build_object('id', ${row}.id, 'run_id', ${row}.run_id)::text END
              FROM (SELECT ${full} AS m) AS msg)`;
}
