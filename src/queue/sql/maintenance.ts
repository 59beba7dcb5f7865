/**
 * Database housekeeping: what the maintenance tasks run (planner statistics and, on SQLite, the
 * WAL), and the vacuum a PostgreSQL worker runs itself when autovacuum leaves the engine's
 * tables to bloat (see worker/vacuumKeeper.ts).
 */
import { execute, query, type Conn } from "./executor";
import { join, raw, sql } from "@/db/dialect";

/**
 * Refreshes the planner's statistics (ANALYZE / PRAGMA optimize) and, on SQLite, folds the
 * write-ahead log back into the database file so it does not keep growing between restarts.
 * Returns what was done, for the task's result.
 */
export async function optimizeDatabase(conn: Conn): Promise<{ provider: string; steps: string[]; wal_pages?: number }> {
  if (conn.provider === "postgres") {
    await query(conn, sql`ANALYZE`);
    return { provider: "postgres", steps: ["ANALYZE"] };
  }
  await query(conn, sql`PRAGMA optimize`);
  // TRUNCATE waits for readers only briefly (busy timeout) and resets the WAL file to zero bytes.
  const [cp] = await query<{ busy: number; log: number; checkpointed: number }>(conn, sql`PRAGMA wal_checkpoint(TRUNCATE)`);
  return { provider: "sqlite", steps: ["PRAGMA optimize", "PRAGMA wal_checkpoint(TRUNCATE)"], wal_pages: Number(cp?.checkpointed ?? 0) };
}

/** The engine's tables that churn: every task writes them, and their dead row versions pile up. */
const HOT_TABLES = ["tasks", "runs", "run_logs", "result_rows", "worker_offers"] as const;

/** Dead row versions a table may carry before the engine vacuums it itself (when autovacuum does not). */
export const VACUUM_MIN_DEAD = 10_000;

/** One hot table's dead row versions, and whether autovacuum is on for it and when it would run. */
export interface TableBloat {
  name: string;
  dead: number;
  live: number;
  autovacuum: boolean;
  /** Dead row versions past which autovacuum vacuums the table (its global threshold and scale factor). */
  autoAt: number;
}

/**
 * Reads the hot tables' dead row versions (pg_stat_user_tables, current within about a second)
 * and whether autovacuum looks after them (the server's setting and the table's own option).
 */
export async function readBloat(conn: Conn): Promise<TableBloat[]> {
  const rows = await query<{ name: string; dead: unknown; live: unknown; auto: unknown; auto_at: unknown }>(
    conn,
    sql`SELECT s.relname AS name, s.n_dead_tup AS dead, s.n_live_tup AS live,
               current_setting('autovacuum') = 'on'
                 AND COALESCE((SELECT option_value FROM pg_options_to_table(c.reloptions) WHERE option_name = 'autovacuum_enabled'), 'on') NOT IN ('off', 'false') AS auto,
               current_setting('autovacuum_vacuum_threshold')::float8
                 + current_setting('autovacuum_vacuum_scale_factor')::float8 * GREATEST(c.reltuples, 0) AS auto_at
        FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema() AND s.relname IN (${join([...HOT_TABLES])})`,
  );
  return rows.map((r) => ({ name: r.name, dead: Number(r.dead), live: Number(r.live), autovacuum: r.auto === true, autoAt: Number(r.auto_at) }));
}

/**
 * Whether the engine should vacuum a table itself: it carries VACUUM_MIN_DEAD dead row
 * versions or more, and autovacuum is off for it or is twice past the point where it should
 * have run (busy, or held back). With autovacuum on and keeping up, this never fires.
 */
export function needsVacuum(t: TableBloat): boolean {
  return t.dead >= VACUUM_MIN_DEAD && (!t.autovacuum || t.dead > 2 * t.autoAt);
}

/**
 * PostgreSQL: vacuums (and analyzes) the hot tables that needsVacuum picks; returns their names.
 * SKIP_LOCKED: a table another worker is vacuuming right now is skipped, not waited for.
 */
export async function vacuumBloated(conn: Conn): Promise<string[]> {
  if (conn.provider !== "postgres") return [];
  const due = (await readBloat(conn)).filter(needsVacuum).map((t) => t.name);
  // Names come from HOT_TABLES through the catalog, never from input.
  for (const name of due) await execute(conn, raw(`VACUUM (SKIP_LOCKED, ANALYZE) ${HOT_TABLES.find((t) => t === name)}`));
  return due;
}
