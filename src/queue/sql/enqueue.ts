/**
 * Inserting tasks: through the engine's pg driver one INSERT for the whole batch (its columns
 * as arrays); otherwise (SQLite, a caller's Prisma transaction) one multi-row INSERT per chunk
 * inside one transaction. Either way a batch is all-or-nothing. An idempotency key is scoped
 * by task type: a (type, key) already held by an unfinished task does not insert (ON CONFLICT
 * DO NOTHING, on the partial unique index of migrations 0007 and 0012) and resolves to the
 * existing task instead; the same key on another type is another task.
 */
import { join, prepared, raw, sql } from "@/db/dialect";
import { INITIAL_STATUS, RunStatus, statusSql, targetOf } from "../states";
import { dialect, execute, query, transaction, type Conn } from "./executor";
import { CHANGES_CHANNEL, WAKEUP_CHANNEL } from "./changes";
import { handedMessage, OFFER_LOCK_CLASS } from "./handoff";
import { GATED } from "./queueControls";

/** The status a task is born with. */
const BORN = statusSql(INITIAL_STATUS);

/** A task row to insert, already validated and with defaults applied. */
export interface TaskInsert {
  type: string;
  queue: string;
  payload: string;
  priority: number;
  /** Absolute start time; wins over delayMs. */
  runAt: Date | null;
  /** Start this long after the database's now. */
  delayMs: number;
  maxAttempts: number;
  timeoutMs: number;
  batchId: string | null;
  idempotencyKey: string | null;
  parentId: number | null;
  scheduleId: string | null;
  createdBy: string | null;
}

/** The id each input resolved to, and whether it was inserted (false: idempotency hit). */
export interface InsertOutcome {
  id: number;
  created: boolean;
  /** The worker the enqueue handed the task to (PostgreSQL, see insertOneHandingOff); absent: queued. */
  handedTo?: string;
}

// 17 bound parameters per row: 1,000 rows stay below SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK = 1_000;

/** A (type, idempotency key) pair as one map key; types are task names, which hold no NUL. */
type Key = `${string}\u0000${string}`;
function keyOf(type: string, key: string | null): Key | null {
  return key === null ? null : `${type}\u0000${key}`;
}

/** Inserts tasks in one transaction; returns one outcome per input, in input order. */
export async function insertTasks(conn: Conn, rows: TaskInsert[]): Promise<InsertOutcome[]> {
  if (rows.length === 0) return [];
  const d = dialect(conn);
  if (d.provider === "postgres" && conn.native) return insertTasksPg(conn, rows);
  return transaction(conn, async (tx) => {
    const inserted: { id: number; key: Key | null }[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((r) => {
        const runAt = r.runAt ? sql`${r.runAt}` : r.delayMs > 0 ? d.nowPlus(r.delayMs) : d.now;
        return sql`(${r.type}, ${r.queue}, ${r.payload}, ${r.priority}, ${BORN}, ${runAt}, 0, ${r.maxAttempts},
          ${r.timeoutMs}, ${r.batchId}, ${r.idempotencyKey}, 0, ${d.now}, false, ${r.parentId}, ${r.scheduleId}, ${r.createdBy})`;
      });
      const got = await query<{ id: number; type: string; idempotency_key: string | null }>(
        tx,
        sql`INSERT INTO tasks (type, queue, payload, priority, status, run_at, attempts, max_attempts,
              timeout_ms, batch_id, idempotency_key, progress, created_at, cancel_requested, parent_id, schedule_id, created_by)
            VALUES ${join(values)}
            -- The WHERE names the partial unique index (migrations 0007, 0012); both databases require it.
            ON CONFLICT (type, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id, type, idempotency_key`,
      );
      for (const g of got) inserted.push({ id: Number(g.id), key: keyOf(g.type, g.idempotency_key) });
    }
    const outcomes = await resolveOutcomes(tx, rows, inserted);
    if (d.provider === "postgres") {
      // Delivered at commit, so workers never wake for a task they cannot see yet.
      const queues = [...new Set(rows.map((r) => r.queue))];
      await execute(tx, sql`SELECT pg_notify(${WAKEUP_CHANNEL}, q) FROM unnest(${queues}::text[]) AS q`);
    }
    return outcomes;
  });
}

/**
 * PostgreSQL through pg: the whole batch and the workers' wake-up in one statement, so it is
 * atomic by itself and, outside a caller's transaction, costs one round trip instead of four
 * (BEGIN, INSERT, NOTIFY, COMMIT) — most of a single enqueue's time, and of the latency from
 * enqueue to start. One array parameter per column (unnest) instead of 16 per row spares the
 * server parsing and binding thousands of parameters, and keeps the text fixed, so it is
 * prepared once per connection. Ids are handed out in ordinality order, which keeps the
 * order-based mapping of resolveOutcomes valid. The NOTIFY is an uncorrelated subquery of the
 * result, evaluated once when a row was inserted (none: nothing new to wake for); PostgreSQL
 * delivers it at commit, so workers never wake for a task they cannot see yet.
 */
async function insertTasksPg(conn: Conn, rows: TaskInsert[]): Promise<InsertOutcome[]> {
  // A keyed batch may look up the tasks holding its keys after the INSERT, and fail there (a
  // key freed in between): in one transaction with the INSERT, so that failure inserts nothing.
  if (!conn.inTransaction && rows.some((r) => r.idempotencyKey !== null)) return transaction(conn, (tx) => insertTasksPg(tx, rows));
  const one = rows[0];
  // Not inside a transaction: a taken offer stays locked until the commit, and the worker's
  // withdraw of it would wait that long.
  if (rows.length === 1 && !conn.inTransaction && one.runAt === null && one.delayMs <= 0 && one.idempotencyKey === null)
    return insertOneHandingOff(conn, one);
  const d = dialect(conn);
  const col = <T>(f: (r: TaskInsert) => T) => rows.map(f);
  const got = await query<{ id: number; type: string; idempotency_key: string | null }>(
    conn,
    prepared(sql`WITH ins AS (
        INSERT INTO tasks (type, queue, payload, priority, status, run_at, attempts, max_attempts,
              timeout_ms, batch_id, idempotency_key, progress, created_at, cancel_requested, parent_id, schedule_id, created_by)
            SELECT t.type, t.queue, t.payload, t.priority, ${BORN},
                   COALESCE(t.run_at, ${d.now} + t.delay_ms * interval '1 millisecond'), 0, t.max_attempts,
                   t.timeout_ms, t.batch_id, t.idem, 0, ${d.now}, false, t.parent_id, t.schedule_id, t.created_by
            FROM unnest(${col((r) => r.type)}::text[], ${col((r) => r.queue)}::text[], ${col((r) => r.payload)}::text[],
                        ${col((r) => r.priority)}::int[], ${col((r) => (r.runAt ? r.runAt.toISOString() : null))}::timestamp(3)[],
                        ${col((r) => r.delayMs)}::float8[], ${col((r) => r.maxAttempts)}::int[], ${col((r) => r.timeoutMs)}::int[],
                        ${col((r) => r.batchId)}::text[], ${col((r) => r.idempotencyKey)}::text[], ${col((r) => r.parentId)}::int[],
                        ${col((r) => r.scheduleId)}::text[], ${col((r) => r.createdBy)}::text[])
                 WITH ORDINALITY AS t(type, queue, payload, priority, run_at, delay_ms, max_attempts, timeout_ms,
                                      batch_id, idem, parent_id, schedule_id, created_by, ord)
            ORDER BY t.ord
            ON CONFLICT (type, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id, type, idempotency_key
      )
      SELECT id, type, idempotency_key,
             (SELECT COUNT(pg_notify(${WAKEUP_CHANNEL}, q)) FROM unnest(${[...new Set(rows.map((r) => r.queue))]}::text[]) AS q) AS woke
      FROM ins`),
  );
  return resolveOutcomes(
    conn,
    rows,
    got.map((g) => ({ id: Number(g.id), key: keyOf(g.type, g.idempotency_key) })),
  );
}

/**
 * PostgreSQL, one task due now: inserted as insertTasksPg would, unless an idle worker offers
 * a slot in its queue (handoff.ts) — then, in the same statement, the offer is taken, the task
 * is written as a claim writes it (running, leased to that worker, its run opened) and the
 * worker is notified on its own channel with the task instead of waking every worker (web
 * servers are told on the changes channel).
 *
 * The offer is locked SKIP LOCKED, so concurrent enqueues never take the same one (the second
 * inserts a queued task). An offer whose advisory lock is free belongs to a worker that is gone:
 * it is deleted, not taken, and the task is queued. A paused or limited queue is never handed
 * off (its claims go through claimGated). With no offer — every busy queue — the statement does
 * what insertTasksPg does plus a scan of the (empty) offers table.
 */
async function insertOneHandingOff(conn: Conn, r: TaskInsert): Promise<InsertOutcome[]> {
  const d = dialect(conn);
  const to = sql`live.worker_id IS NOT NULL`;
  const got = await query<{ id: number; worker_id: string | null }>(
    conn,
    prepared(sql`WITH offer AS MATERIALIZED (
        SELECT worker_id, lease_ms, lock_key, channel FROM worker_offers
        WHERE strpos(queues, ',' || ${r.queue}::text || ',') > 0
          AND NOT EXISTS (SELECT 1 FROM queue_controls WHERE name = ${r.queue}::text AND ${GATED})
        ORDER BY offered_at, worker_id LIMIT 1 FOR UPDATE SKIP LOCKED
      ),
      -- Taking the lock succeeds only when no session holds it: the worker is gone.
      live AS MATERIALIZED (SELECT worker_id, lease_ms, channel FROM offer WHERE NOT pg_try_advisory_xact_lock(${raw(String(OFFER_LOCK_CLASS))}, lock_key)),
      taken AS (DELETE FROM worker_offers WHERE worker_id IN (SELECT worker_id FROM offer)),
      ins AS (
        INSERT INTO tasks (type, queue, payload, priority, status, run_at, attempts, max_attempts, timeout_ms, batch_id,
              idempotency_key, progress, created_at, cancel_requested, parent_id, schedule_id, created_by,
              worker_id, run_id, started_at, lease_expires_at)
        SELECT ${r.type}::text, ${r.queue}::text, ${r.payload}::text, ${r.priority}::int,
               CASE WHEN ${to} THEN ${targetOf("claim")} ELSE ${BORN} END, ${d.now}, CASE WHEN ${to} THEN 1 ELSE 0 END,
               ${r.maxAttempts}::int, ${r.timeoutMs}::int, ${r.batchId}::text, NULL, 0, ${d.now}, false,
               ${r.parentId}::int, ${r.scheduleId}::text, ${r.createdBy}::text,
               live.worker_id, CASE WHEN ${to} THEN nextval('runs_id_seq')::int END,
               CASE WHEN ${to} THEN ${d.now} END, ${d.now} + live.lease_ms * interval '1 millisecond'
        FROM (SELECT 1) AS one LEFT JOIN live ON true
        RETURNING id, type, queue, payload, priority, attempts, max_attempts, timeout_ms, batch_id, parent_id, schedule_id, worker_id, run_id
      ),
      opened AS (
        INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at)
        SELECT run_id, id, attempts, max_attempts, worker_id, ${statusSql(RunStatus.running)}, ${d.now} FROM ins WHERE run_id IS NOT NULL
      )
      SELECT ins.id, ins.type, NULL AS idempotency_key, ins.worker_id,
             pg_notify(COALESCE(live.channel, ${WAKEUP_CHANNEL}), CASE WHEN ${to} THEN ${handedMessage("ins")} ELSE ins.queue END) AS woke,
             -- Web servers hear of new tasks by the wake-up, which a hand-off does not send.
             (SELECT COUNT(pg_notify(${CHANGES_CHANNEL}, '')) FROM live) AS seen
      FROM ins LEFT JOIN live ON true`),
  );
  const handedTo = got[0]?.worker_id;
  return got.map((g) => (handedTo ? { id: Number(g.id), created: true, handedTo } : { id: Number(g.id), created: true }));
}

/**
 * One outcome per input, in input order, from the rows the INSERT returned: unkeyed inputs map
 * by order, keyed ones by key, and a key another unfinished task already holds resolves to that
 * task (created: false).
 */
async function resolveOutcomes(conn: Conn, rows: TaskInsert[], inserted: { id: number; key: Key | null }[]): Promise<InsertOutcome[]> {
  // Ids grow in VALUES order within a statement: map unkeyed inputs by order, keyed ones by (type, key).
  inserted.sort((a, b) => a.id - b.id);
  const byKey = new Map(inserted.filter((r) => r.key !== null).map((r) => [r.key as Key, r.id]));
  const unkeyed = inserted.filter((r) => r.key === null).map((r) => r.id);
  const missing = rows.filter((r) => r.idempotencyKey !== null && !byKey.has(keyOf(r.type, r.idempotencyKey)!));
  const existing = new Map<Key, number>();
  if (missing.length > 0) {
    // Both lists, then the pairs in JS: the index leads with type, and a row-value IN is not in every SQLite build.
    const found = await query<{ id: number; type: string; idempotency_key: string }>(
      conn,
      sql`SELECT id, type, idempotency_key FROM tasks
          WHERE type IN (${join([...new Set(missing.map((r) => r.type))])})
            AND idempotency_key IN (${join([...new Set(missing.map((r) => r.idempotencyKey as string))])})`,
    );
    for (const f of found) existing.set(keyOf(f.type, f.idempotency_key)!, Number(f.id));
  }
  const claimedKeys = new Set<Key>();
  let next = 0;
  const outcomes = rows.map((r): InsertOutcome => {
    const key = keyOf(r.type, r.idempotencyKey);
    if (key === null) return { id: unkeyed[next++], created: true };
    const fresh = byKey.get(key);
    // The first input with a fresh key created the task; later duplicates in the same batch reuse it.
    if (fresh !== undefined && !claimedKeys.has(key)) {
      claimedKeys.add(key);
      return { id: fresh, created: true };
    }
    const id = fresh ?? existing.get(key);
    if (id === undefined) throw new Error(`idempotency key ${r.idempotencyKey} vanished during enqueue`);
    return { id, created: false };
  });
  return outcomes;
}
