/**
 * The claim of a gated queue (paused, or with a cluster-wide limit; see queueControls.ts), in
 * one short transaction per queue: lock the queue's controls row, check the pause, count what
 * of the queue already runs anywhere, check the start rate, pick the tasks (per-key limit
 * included), claim them, move the rate on. The row lock serialises every gated claim of the
 * queue across workers and hosts, and every count is read after it is held (on PostgreSQL a
 * new statement of a READ COMMITTED transaction sees what the previous holder committed; on
 * SQLite the lock is the database's write lock), so no two claims can both see room for the
 * last slot. Unlimited queues never come here: their claim stays the single statement of
 * claim.ts, which skips gated queues.
 */
import { sql, type Sql } from "@/db/dialect";
import { statusIn, TaskStatus } from "../states";
import { candidates, claimCandidates, type ClaimedTask, type ClaimRequest } from "./claim";
import { controlOf, type QueueControl } from "./queueControls";
import { dialect, query, execute, toDate, toInt, transaction, type Conn } from "./executor";

/** Why a gated claim took what it took. */
export type GateState = "paused" | "full" | "rate" | "open";

/** What a gated claim took, and when the queue may start more. */
export interface GatedClaim {
  claimed: ClaimedTask[];
  state: GateState;
  /** state "rate": milliseconds until the next start is allowed. */
  retryInMs: number | null;
}

/** Most queued tasks looked at for a per-key limit (beyond it, a task waits for the next claim). */
const KEY_WINDOW = 1000;

/** The emission interval of a rate limit: one start per this many ms, rounded up (never faster than the limit). */
function rateIntervalMs(c: Pick<QueueControl, "rateLimit" | "ratePeriodMs">): number {
  return Math.ceil((c.ratePeriodMs ?? 1000) / Math.max(1, c.rateLimit ?? 1));
}

/** SQL: the per-key value of a task's payload as text (null when the field is absent). */
function keyOf(conn: Conn, field: string): Sql {
  return dialect(conn).provider === "postgres"
    ? sql`(payload::jsonb ->> ${field})`
    : sql`CAST(json_extract(payload, ${`$."${field}"`}) AS TEXT)`;
}

/** A candidates CTE naming exactly these task ids (one statement text whatever their number). */
function idsCandidates(conn: Conn, ids: number[]): Sql {
  return dialect(conn).provider === "postgres"
    ? sql`candidates AS MATERIALIZED (SELECT unnest(${ids}::int[]) AS id)`
    : sql`candidates AS MATERIALIZED (SELECT value AS id FROM json_each(${JSON.stringify(ids)}))`;
}

/**
 * Claims at most `slots` tasks of gated queue `queue` for req.workerId, within the queue's
 * pause and limits (see the file comment).
 */
export async function claimGated(conn: Conn, req: Omit<ClaimRequest, "slots" | "limit">, queue: string, slots: number): Promise<GatedClaim> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    // The first statement writes (SQLite takes its write lock; PostgreSQL locks the row).
    const locked = await query<Record<string, unknown>>(
      tx,
      sql`UPDATE queue_controls SET name = name WHERE name = ${queue} RETURNING *, ${d.now} AS db_now`,
    );
    const open = (claimed: ClaimedTask[]): GatedClaim => ({ claimed, state: "open", retryInMs: null });
    if (locked.length === 0) {
      // Its controls were removed since the worker last read them: an ordinary claim.
      return open(await claimCandidates(tx, { ...req, slots: { [queue]: slots }, limit: slots }, candidates(tx, [[queue, slots]], slots)));
    }
    const c = controlOf(locked[0]);
    const now = toDate(locked[0].db_now) as Date;
    if (c.paused) return { claimed: [], state: "paused", retryInMs: null };
    let allowed = slots;
    if (c.maxRunning !== null) {
      const [{ n }] = await query<{ n: unknown }>(tx, sql`SELECT COUNT(*) AS n FROM tasks WHERE ${statusIn([TaskStatus.running])} AND queue = ${queue}`);
      allowed = Math.min(allowed, c.maxRunning - toInt(n));
      if (allowed <= 0) return { claimed: [], state: "full", retryInMs: null };
    }
    if (c.rateLimit !== null) {
      const tat = toDate(locked[0].rate_tat);
      if (tat && tat.getTime() > now.getTime()) return { claimed: [], state: "rate", retryInMs: tat.getTime() - now.getTime() };
      // No burst: starts are spaced by the interval, so no window of the period ever holds
      // more than the limit (a token bucket would let a full period's worth start at once).
      allowed = 1;
    }
    const perKey = c.keyField && c.maxRunningPerKey !== null;
    const { ids, blocked } = perKey
      ? await pickPerKey(tx, queue, c.keyField as string, c.maxRunningPerKey as number, allowed)
      : { ids: await pickHead(tx, queue, allowed), blocked: false };
    // Due tasks whose keys are all busy: like a full queue, ask again when a run closes.
    if (ids.length === 0) return blocked ? { claimed: [], state: "full", retryInMs: null } : open([]);
    const claimed = await claimCandidates(tx, { ...req, slots: { [queue]: ids.length }, limit: ids.length }, idsCandidates(tx, ids));
    if (c.rateLimit !== null && claimed.length > 0) {
      const next =
        d.provider === "postgres"
          ? sql`GREATEST(COALESCE(rate_tat, ${d.now}), ${d.now}) + ${rateIntervalMs(c)}::float8 * interval '1 millisecond'`
          : sql`MAX(COALESCE(rate_tat, ${d.now}), ${d.now}) + ${rateIntervalMs(c)}`;
      await execute(tx, sql`UPDATE queue_controls SET rate_tat = ${next} WHERE name = ${queue}`);
    }
    return open(claimed);
  });
}

/** The first `n` due tasks of the queue in claim order. */
async function pickHead(tx: Conn, queue: string, n: number): Promise<number[]> {
  const d = dialect(tx);
  const rows = await query<{ id: unknown }>(
    tx,
    sql`SELECT id FROM tasks WHERE queue = ${queue} AND ${statusIn([TaskStatus.queued])} AND run_at <= ${d.now}
        ORDER BY priority DESC, run_at, id LIMIT ${d.limit(n)}`,
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Up to `n` due tasks in claim order such that no key has more than `perKey` running (those
 * already running anywhere counted); `blocked` when due tasks exist but every one's key is busy. A task without the key field is not held back by it.
 * Looks at the first KEY_WINDOW due tasks: a queue whose head is all one busy key waits for it.
 */
async function pickPerKey(tx: Conn, queue: string, field: string, perKey: number, n: number): Promise<{ ids: number[]; blocked: boolean }> {
  const d = dialect(tx);
  const key = keyOf(tx, field);
  const head = await query<{ id: unknown; k: string | null }>(
    tx,
    sql`SELECT id, ${key} AS k FROM tasks WHERE queue = ${queue} AND ${statusIn([TaskStatus.queued])} AND run_at <= ${d.now}
        ORDER BY priority DESC, run_at, id LIMIT ${d.limit(Math.min(KEY_WINDOW, Math.max(50, n * 20)))}`,
  );
  if (head.length === 0) return { ids: [], blocked: false };
  const keys = [...new Set(head.map((r) => r.k).filter((k): k is string => k !== null))];
  const running = new Map<string, number>();
  if (keys.length > 0) {
    const rows = await query<{ k: string; n: unknown }>(
      tx,
      sql`SELECT ${key} AS k, COUNT(*) AS n FROM tasks WHERE ${statusIn([TaskStatus.running])} AND queue = ${queue} GROUP BY 1`,
    );
    for (const r of rows) if (r.k !== null) running.set(r.k, toInt(r.n));
  }
  const out: number[] = [];
  for (const r of head) {
    if (out.length >= n) break;
    if (r.k !== null) {
      const busy = running.get(r.k) ?? 0;
      if (busy >= perKey) continue;
      running.set(r.k, busy + 1);
    }
    out.push(Number(r.id));
  }
  return { ids: out, blocked: out.length === 0 };
}
