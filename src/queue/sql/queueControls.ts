/**
 * Queue controls: a queue's pause and its cluster-wide limits (max_running, a start rate,
 * max_running per payload key), one `queue_controls` row per controlled queue. The claim
 * itself enforces them (claimGated), so they hold for every worker on every host; this file
 * reads and writes the rows and the figures `GET /api/queues` shows.
 */
import { sql } from "@/db/dialect";
import { WAKEUP_CHANNEL } from "./changes";
import { dialect, execute, query, toDate, transaction, type Conn } from "./executor";

/** A queue's controls as the engine reads them. */
export interface QueueControl {
  name: string;
  paused: boolean;
  pausedBy: string | null;
  pausedAt: Date | null;
  maxRunning: number | null;
  rateLimit: number | null;
  ratePeriodMs: number | null;
  keyField: string | null;
  maxRunningPerKey: number | null;
  catalogueHash: string | null;
}

/** The limits of a queue (all null: unlimited). */
export type QueueLimits = Pick<QueueControl, "maxRunning" | "rateLimit" | "ratePeriodMs" | "keyField" | "maxRunningPerKey">;

/**
 * A queue is gated when its claims must take the limited path (lock the queue's row, count,
 * then claim): paused or any limit set. The SQL condition the unlimited claim checks is the
 * same predicate, so the two can never disagree.
 */
export function isGated(c: Pick<QueueControl, "paused"> & QueueLimits): boolean {
  return c.paused || c.maxRunning !== null || c.rateLimit !== null || c.maxRunningPerKey !== null;
}

/** SQL: the queue_controls row `alias` makes its queue gated (see isGated). */
export const GATED = sql`(paused OR max_running IS NOT NULL OR rate_limit IS NOT NULL OR max_running_per_key IS NOT NULL)`;

/** Maps a queue_controls row. */
export function controlOf(r: Record<string, unknown>): QueueControl {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    name: String(r.name),
    paused: Boolean(r.paused),
    pausedBy: (r.paused_by as string | null) ?? null,
    pausedAt: toDate(r.paused_at),
    maxRunning: n(r.max_running),
    rateLimit: n(r.rate_limit),
    ratePeriodMs: n(r.rate_period_ms),
    keyField: (r.key_field as string | null) ?? null,
    maxRunningPerKey: n(r.max_running_per_key),
    catalogueHash: (r.catalogue_hash as string | null) ?? null,
  };
}

/** Every queue's controls (a handful of rows). */
export async function readControls(conn: Conn): Promise<QueueControl[]> {
  const rows = await query<Record<string, unknown>>(conn, sql`SELECT * FROM queue_controls ORDER BY name`);
  return rows.map(controlOf);
}

/** Wakes the workers serving `queue` (PostgreSQL; on SQLite every commit wakes them). */
async function wake(conn: Conn, queue: string): Promise<void> {
  if (dialect(conn).provider === "postgres") await execute(conn, sql`SELECT pg_notify(${WAKEUP_CHANNEL}, ${queue})`);
}

/**
 * Pauses or resumes `queue`: claims stop or start at the next claim of every worker (a
 * resume also wakes them). Returns false when it already was in that state.
 */
export async function setPaused(conn: Conn, queue: string, paused: boolean, by: string): Promise<boolean> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const changed = await query(
      tx,
      paused
        ? sql`INSERT INTO queue_controls (name, paused, paused_by, paused_at, updated_at) VALUES (${queue}, ${true}, ${by}, ${d.now}, ${d.now})
              ON CONFLICT (name) DO UPDATE SET paused = ${true}, paused_by = ${by}, paused_at = ${d.now}, updated_at = ${d.now}
              WHERE NOT queue_controls.paused
              RETURNING name`
        : sql`UPDATE queue_controls SET paused = ${false}, paused_by = NULL, paused_at = NULL, updated_at = ${d.now}
              WHERE name = ${queue} AND paused RETURNING name`,
    );
    if (changed.length > 0 && !paused) await wake(tx, queue);
    return changed.length > 0;
  });
}

/**
 * Sets a queue's limits and wakes its workers. A catalogue hash is stored when given and kept
 * otherwise, so a change from the queue panel survives restarts until the file's entry changes.
 */
export async function setLimits(conn: Conn, queue: string, l: QueueLimits, catalogueHash: string | null = null): Promise<void> {
  const d = dialect(conn);
  await transaction(conn, async (tx) => {
    await execute(
      tx,
      sql`INSERT INTO queue_controls (name, max_running, rate_limit, rate_period_ms, key_field, max_running_per_key, catalogue_hash, updated_at)
          VALUES (${queue}, ${l.maxRunning}, ${l.rateLimit}, ${l.ratePeriodMs}, ${l.keyField}, ${l.maxRunningPerKey}, ${catalogueHash}, ${d.now})
          ON CONFLICT (name) DO UPDATE SET max_running = excluded.max_running, rate_limit = excluded.rate_limit,
            rate_period_ms = excluded.rate_period_ms, key_field = excluded.key_field, max_running_per_key = excluded.max_running_per_key,
            catalogue_hash = COALESCE(excluded.catalogue_hash, queue_controls.catalogue_hash), updated_at = excluded.updated_at`,
    );
    await wake(tx, queue);
  });
}
