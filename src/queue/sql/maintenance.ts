/** Database housekeeping the maintenance tasks run: planner statistics and, on SQLite, the WAL. */
import { query, type Conn } from "./executor";
import { sql } from "@/db/dialect";

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
