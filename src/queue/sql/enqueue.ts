/**
 * Inserting tasks: through the engine's pg driver one INSERT for the whole batch (its columns
 * as arrays); otherwise (SQLite, a caller's Prisma transaction) one multi-row INSERT per chunk
 * inside one transaction. Either way a batch is all-or-nothing. An idempotency key is scoped
 * by task type: a (type, key) already held by an unfinished task does not insert (ON CONFLICT
 * DO NOTHING, on the partial unique index of migrations 0007 and 0012) and resolves to the
 * existing task instead; the same key on another type is another task.
 */
import { join, prepared, sql } from "@/db/dialect";
import { INITIAL_STATUS, statusSql } from "../states";
import { dialect, execute, query, transaction, type Conn } from "./executor";

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
}

// 17 bound parameters per row: 1,000 rows stay below SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK = 1_000;

/** Channel the workers LISTEN on (PostgreSQL); the payload is the queue name. */
export const WAKEUP_CHANNEL = "qtask_wakeup";

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
