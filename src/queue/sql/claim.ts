/**
 * Claiming: take up to `limit` due tasks across a worker's queues (each queue within its own
 * free slots; higher priority first, then earliest run_at, then id), mark them running under a
 * lease, and open one run per task — in one statement on PostgreSQL, one short transaction on
 * SQLite, however many queues the worker serves. On SQLite the UPDATE comes first, so the
 * transaction holds the write lock from its first statement; on PostgreSQL candidates are
 * locked with SKIP LOCKED so concurrent workers take disjoint sets.
 */
import { join, prepared, raw, sql, type Sql } from "@/db/dialect";
import { RunStatus, statusIn, statusSql, targetOf, TaskStatus, whenLegal } from "../states";
import { dialect, execute, query, toDate, transaction, type Conn } from "./executor";
import { noteChange } from "./changes";
import { GATED } from "./queueControls";
import { claimedOf, RETURNED, type ClaimedTask, type ClaimRow } from "./claimed";

export type { ClaimedTask };

/** What one claim may take: at most `limit` tasks in all, at most `slots[queue]` of each queue. */
export interface ClaimRequest {
  workerId: string;
  /** Free slots per queue (queues with 0 are skipped). */
  slots: Record<string, number>;
  /** Most tasks in all (the worker's free total, capped by its claim batch). */
  limit: number;
  leaseMs: number;
}

/** The tasks a claim may take (the claim index holds exactly these: `WHERE status = 'queued'`). */
const CLAIMABLE = whenLegal("claim");
/** The status a claim opens its runs with. */
const RUN_OPEN = statusSql(RunStatus.running);

/**
 * The unlimited path's guard: nothing is taken from a queue that is paused or limited — those
 * go through claimGated, which locks the queue's controls first. An uncorrelated probe of the
 * queue_controls primary key, evaluated once per statement; it keeps a pause immediate even
 * for a worker whose cached controls are a second old, and costs the claim no round trip.
 */
function notGated(queue: string): Sql {
  return sql`NOT EXISTS (SELECT 1 FROM queue_controls WHERE name = ${queue} AND ${GATED})`;
}

/**
 * The candidates: one MATERIALIZED CTE per queue, each its own index range scan with its own
 * limit, then the best `limit` of their union. MATERIALIZED, not `id IN (SELECT … LIMIT n)`:
 * on PostgreSQL a row changed concurrently makes the UPDATE re-check its join, which re-runs
 * such a subquery and can claim more than `limit` rows; a CTE is evaluated exactly once.
 */
export function candidates(conn: Conn, queues: [string, number][], limit: number): Sql {
  const d = dialect(conn);
  const perQueue = queues.map(
    ([queue, n], i) =>
      sql`${raw(`q${i}`)} AS MATERIALIZED (
            SELECT id, priority, run_at FROM tasks
            WHERE queue = ${queue} AND ${CLAIMABLE} AND run_at <= ${d.now} AND ${notGated(queue)}
            ORDER BY priority DESC, run_at, id
            LIMIT ${d.limit(Math.min(n, limit))}
            ${d.skipLocked}
          )`,
  );
  const union = join(
    queues.map((_, i) => sql`SELECT id, priority, run_at FROM ${raw(`q${i}`)}`),
    " UNION ALL ",
  );
  // One queue needs no second ordering pass.
  const best =
    queues.length === 1 ? sql`SELECT id FROM q0` : sql`SELECT id FROM (${union}) AS u ORDER BY priority DESC, run_at, id LIMIT ${d.limit(limit)}`;
  return sql`${join(perQueue, ", ")}, candidates AS MATERIALIZED (${best})`;
}

/**
 * The claim's re-check that a candidate is still queued. Written so no index can serve it
 * (status is never NULL): SQLite, given `tasks.status = 'queued'`, chose for a claim of 20 or
 * more to walk every queued task by the status index and probe the candidates — 2 ms with
 * 60,000 waiting, against 0.2 ms looking the candidates up by primary key.
 */
const stillQueued = whenLegal("claim", { column: raw("COALESCE(tasks.status, '')") });

/** Claims due tasks for `workerId` within its free slots (see ClaimRequest). */
export async function claimTasks(conn: Conn, req: ClaimRequest): Promise<ClaimedTask[]> {
  const queues = Object.entries(req.slots).filter(([, n]) => n > 0);
  if (req.limit <= 0 || queues.length === 0) return [];
  return claimCandidates(conn, req, candidates(conn, queues, req.limit));
}

/**
 * Claims the tasks `cands` names (a WITH list ending in a `candidates` CTE of task ids) for
 * req.workerId: marks them running and opens their runs (see claimPg / claimSqlite).
 */
export async function claimCandidates(conn: Conn, req: ClaimRequest, cands: Sql): Promise<ClaimedTask[]> {
  const rows = dialect(conn).provider === "postgres" ? await claimPg(conn, req, cands) : await claimSqlite(conn, req, cands);
  if (rows.length > 0) noteChange(conn);
  return rows.map(claimedOf).sort((a, b) => b.priority - a.priority || a.id - b.id);
}

/** Sets the claimed columns; `runId` also points the task at its new run (PostgreSQL). */
function claimSet(conn: Conn, req: ClaimRequest, runId: Sql) {
  const d = dialect(conn);
  return sql`status = ${targetOf("claim")}, attempts = attempts + 1, worker_id = ${req.workerId}, ${runId}
             started_at = ${d.now}, lease_expires_at = ${d.nowPlus(req.leaseMs)}, progress = 0, progress_message = NULL`;
}

/**
 * PostgreSQL: one statement, one round trip. Each claimed row draws its run id from the runs
 * sequence (`runs_id_seq`, the SERIAL of runs.id) as it is updated, so the task row, its run and
 * the wipe of an earlier attempt's result rows are all written by data-modifying CTEs of the
 * same statement, atomically. The rows are named by `id = ANY(ARRAY(…))`, a primary-key probe
 * per candidate, not by a join to the candidates: how to join is the planner's choice, and with
 * statistics that counted thousands of queued tasks it hashed the candidates and scanned the
 * whole table for every claim (20,000 rows read to update 50).
 */
async function claimPg(conn: Conn, req: ClaimRequest, cands: Sql): Promise<ClaimRow[]> {
  const d = dialect(conn);
  return query<ClaimRow>(
    conn,
    prepared(sql`WITH ${cands},
          claimed AS (
            UPDATE tasks SET ${claimSet(conn, req, sql`run_id = nextval('runs_id_seq')::int,`)}
            WHERE tasks.id = ANY(ARRAY(SELECT id FROM candidates)) AND ${stillQueued}
            RETURNING ${RETURNED}, tasks.run_id
          ),
          opened AS (
            INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at)
            SELECT run_id, id, attempts, max_attempts, ${req.workerId}, ${RUN_OPEN}, ${d.now} FROM claimed
          ),
          -- A new attempt replaces the result rows of earlier attempts, so results never double.
          -- By index, whatever the planner believes of result_rows (see closeSucceededPg).
          wiped AS (DELETE FROM result_rows WHERE task_id = ANY(ARRAY(SELECT id FROM claimed WHERE attempts > 1)))
        SELECT * FROM claimed`),
  );
}

/**
 * SQLite: one short write transaction (the connection is the process's only one, so nothing
 * waits on a round trip): claim and point each task at its run, open the runs, wipe earlier
 * attempts' result rows. The run ids are numbered in the claim itself, after the last one
 * runs' AUTOINCREMENT handed out (sqlite_sequence; no row before the first run), so each task
 * row is written once: the UPDATE is the transaction's first statement and holds the write
 * lock, so nothing else can insert a run in between, and every candidate it read is still
 * queued when it writes.
 */
async function claimSqlite(conn: Conn, req: ClaimRequest, cands: Sql): Promise<ClaimRow[]> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const rows = await query<ClaimRow>(
      tx,
      sql`WITH ${cands},
            numbered AS MATERIALIZED (
              SELECT id, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'runs'), 0) + row_number() OVER (ORDER BY id) AS run_id
              FROM candidates
            )
          UPDATE tasks SET ${claimSet(tx, req, sql`run_id = numbered.run_id,`)}
          FROM numbered
          WHERE tasks.id = numbered.id AND ${stillQueued}
          RETURNING ${RETURNED}, tasks.run_id`,
    );
    if (rows.length === 0) return [];
    await execute(
      tx,
      sql`INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at)
          VALUES ${join(rows.map((r) => sql`(${r.run_id}, ${r.id}, ${r.attempts}, ${r.max_attempts}, ${req.workerId}, ${RUN_OPEN}, ${d.now})`))}`,
    );
    const retried = rows.filter((r) => Number(r.attempts) > 1).map((r) => Number(r.id));
    if (retried.length > 0) await execute(tx, sql`DELETE FROM result_rows WHERE task_id IN (${join(retried)})`);
    return rows;
  });
}

/**
 * Milliseconds until the earliest queued task of these queues becomes due (0 if one is due,
 * null if none is queued), by the database clock: an idle worker sleeps exactly that long
 * instead of a whole poll interval when a retry or delayed task is pending.
 *
 * First whether any is due now: the first due task of each queue in claim order, a scalar
 * subquery (EXISTS would drop the order, and PostgreSQL then scanned the table for a row); only
 * the claim index gives that order, so its first entries answer it whatever the planner
 * believes. Only when none is due does it look for the earliest run_at, which reads every
 * queued task of the queues. It is asked after every claim round that comes back short, which in a busy drain
 * is often while thousands are queued: as one MIN over them it took 50–200 ms a time when the
 * statistics said most tasks were queued (the planner scanned the table).
 */
export async function msUntilNextDue(conn: Conn, queues: string[]): Promise<number | null> {
  const d = dialect(conn);
  const dueIn = queues.map(
    (queue) =>
      sql`(SELECT id FROM tasks WHERE queue = ${queue} AND ${CLAIMABLE} AND run_at <= ${d.now} ORDER BY priority DESC, run_at, id LIMIT 1) IS NOT NULL`,
  );
  // One statement: the MIN in the ELSE branch runs only when no task is due.
  const rows = await query<{ next: unknown; now: unknown }>(
    conn,
    sql`SELECT CASE WHEN ${join(dueIn, " OR ")} THEN ${d.now}
                    ELSE (SELECT MIN(run_at) FROM tasks WHERE ${statusIn([TaskStatus.queued])} AND queue IN (${join(queues)})) END AS next,
               ${d.now} AS now`,
  );
  const next = toDate(rows[0]?.next);
  const now = toDate(rows[0]?.now);
  if (!next || !now) return null;
  return Math.max(0, next.getTime() - now.getTime());
}
