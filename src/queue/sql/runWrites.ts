/**
 * What a running handler writes: progress, log lines and result rows. Every statement is
 * fenced on the lease (the task is running and its run_id is this run), in the statement
 * itself, so a run that lost its lease cannot write a single row, and no read-then-write
 * transaction is needed (SQLite-safe).
 */
import { empty, join, prepared, sql, type Sql } from "@/db/dialect";
import { LEASED_STATUS, statusIn } from "../states";
import { noteChange } from "./changes";
import { dialect, execute, query, type Conn } from "./executor";

/** The fence's status condition: the task is still in the state its run holds the lease in. */
const LEASED = statusIn([LEASED_STATUS]);

/** The fence as a predicate usable in WHERE/EXISTS. */
function holdsLease(taskId: number, runId: number) {
  return sql`EXISTS (SELECT 1 FROM tasks WHERE id = ${taskId} AND run_id = ${runId} AND ${LEASED})`;
}

/** Writes progress (0–100) and its message; false when the run no longer holds the lease. */
export async function writeProgress(conn: Conn, taskId: number, runId: number, progress: number, message: string | null): Promise<boolean> {
  const n = await execute(
    conn,
    sql`UPDATE tasks SET progress = ${progress}, progress_message = ${message}, changed_at = ${dialect(conn).now}
        WHERE id = ${taskId} AND run_id = ${runId} AND ${LEASED}`,
  );
  if (n > 0) noteChange(conn);
  return n > 0;
}

/** Sets the run's info (JSON text: what it ran); false when the run no longer holds the lease. */
export async function writeRunInfo(conn: Conn, taskId: number, runId: number, info: string): Promise<boolean> {
  const n = await execute(conn, sql`UPDATE runs SET info = ${info} WHERE id = ${runId} AND ${holdsLease(taskId, runId)}`);
  return n > 0;
}

/** One log line as buffered by the worker. */
export interface LogLine {
  seq: number;
  ts: Date;
  level: "debug" | "info" | "warn" | "error";
  message: string;
  data: string | null;
}

/**
 * Inserts log lines in one statement; false when the run no longer holds the lease.
 * `final` lines (the worker's own closing lines) skip the fence: they are written by the
 * worker after it closed the run itself.
 */
export async function insertLogLines(conn: Conn, taskId: number, runId: number, lines: LogLine[], fenced = true): Promise<boolean> {
  if (lines.length === 0) return true;
  const d = dialect(conn);
  const values = lines.map(
    (l) =>
      sql`(${d.param(runId, "int")}, ${d.param(l.seq, "int")}, ${d.param(l.ts, "timestamp")}, ${d.param(l.level, "text")}, ${d.param(l.message, "text")}, ${d.param(l.data, "text")})`,
  );
  const n = await execute(
    conn,
    sql`INSERT INTO run_logs (run_id, seq, ts, level, message, data)
        SELECT * FROM (VALUES ${join(values)}) AS v
        WHERE ${fenced ? holdsLease(taskId, runId) : sql`1 = 1`}
        ON CONFLICT (run_id, seq) DO NOTHING`,
  );
  if (n > 0) noteChange(conn);
  if (!fenced || n > 0) return true;
  // Nothing inserted: the lease is gone, or these lines are already there (the same write
  // repeated after its connection dropped during the commit). Only the first means "stop".
  const held = await query(conn, sql`SELECT 1 AS held WHERE ${holdsLease(taskId, runId)}`);
  return held.length > 0;
}

/** One result row: a key unique within the task and its JSON data. */
export interface ResultRowInput {
  key: string;
  data: string;
}

/** Upserts result rows (same key: replaced); false when the run no longer holds the lease. */
export async function upsertResultRows(conn: Conn, taskId: number, runId: number, rows: ResultRowInput[]): Promise<boolean> {
  if (rows.length === 0) return true;
  const d = dialect(conn);
  const values = rows.map(
    (r) => sql`(${d.param(taskId, "int")}, ${d.param(r.key, "text")}, ${d.param(runId, "int")}, ${d.param(r.data, "text")}, ${d.now})`,
  );
  const n = await execute(
    conn,
    sql`INSERT INTO result_rows (task_id, row_key, run_id, data, created_at)
        SELECT * FROM (VALUES ${join(values)}) AS v
        WHERE ${holdsLease(taskId, runId)}
        ON CONFLICT (task_id, row_key) DO UPDATE SET run_id = excluded.run_id, data = excluded.data, created_at = excluded.created_at`,
  );
  return n > 0;
}

/** Most log lines per statement when a batch of closes writes its runs' last lines (SQLite). */
const LOG_CHUNK = 2_000;

/**
 * PostgreSQL: the INSERT of runs' last log lines, one array per column (so the statement text
 * never varies with the batch and stays prepared), limited to the rows `where` lets through.
 */
export function closingLinesPg(entries: { runId: number; lines: LogLine[] }[], where: Sql): Sql {
  const all = entries.flatMap((e) => e.lines.map((l) => ({ runId: e.runId, l })));
  return sql`INSERT INTO run_logs (run_id, seq, ts, level, message, data)
      SELECT * FROM unnest(${all.map((c) => c.runId)}::int[], ${all.map((c) => c.l.seq)}::int[],
                           ${all.map((c) => c.l.ts.toISOString())}::timestamp(3)[], ${all.map((c) => c.l.level)}::text[],
                           ${all.map((c) => c.l.message)}::text[], ${all.map((c) => c.l.data)}::text[]) AS v (run_id, seq, ts, level, message, data)
      ${where}
      ON CONFLICT (run_id, seq) DO NOTHING`;
}

/**
 * Inserts runs' last log lines with no fence of their own: the caller writes them in the
 * transaction that closed those runs, after the close's fence let them through. The batch
 * goes in as a fixed number of parameters — a JSON array read by json_each on SQLite, one
 * array per column on PostgreSQL.
 */
export async function insertClosingLines(conn: Conn, entries: { runId: number; lines: LogLine[] }[]): Promise<void> {
  if (!entries.some((e) => e.lines.length > 0)) return;
  if (dialect(conn).provider === "postgres") {
    await execute(conn, prepared(closingLinesPg(entries, empty)));
    return;
  }
  const all = entries.flatMap((e) => e.lines.map((l) => [e.runId, l.seq, l.ts.getTime(), l.level, l.message, l.data]));
  for (let i = 0; i < all.length; i += LOG_CHUNK) {
    // `WHERE true`: SQLite needs it to read ON CONFLICT as the upsert clause after INSERT … SELECT.
    await execute(
      conn,
      sql`INSERT INTO run_logs (run_id, seq, ts, level, message, data)
          SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(${JSON.stringify(all.slice(i, i + LOG_CHUNK))}) WHERE true
          ON CONFLICT (run_id, seq) DO NOTHING`,
    );
  }
}
