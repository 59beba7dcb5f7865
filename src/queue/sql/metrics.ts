/**
 * The reads behind `GET /api/metrics` besides the event stream's (changes.ts: runs opened and
 * tasks finished since a cursor, which the counters and histograms advance by): small counts
 * by index, and small tables. None scans the tasks table.
 */
import { sql } from "@/db/dialect";
import { RunStatus } from "../states";
import { query, toDate, toInt, type Conn } from "./executor";

/** Runs that rescue found lost (their worker stopped renewing the lease), by runs_status_idx. */
export async function lostRunCount(conn: Conn): Promise<number> {
  const [r] = await query<{ n: unknown }>(conn, sql`SELECT COUNT(*) AS n FROM runs WHERE status = ${RunStatus.lost}`);
  return toInt(r.n);
}

/** Per schedule: how late its last slot fired (fired_at − slot), in ms; schedules never fired by a slot are left out. */
export async function scheduleLags(conn: Conn): Promise<{ name: string; lagMs: number }[]> {
  const rows = await query<{ name: string; slot: unknown; fired_at: unknown }>(
    conn,
    sql`SELECT s.name, f.slot, f.fired_at FROM schedules s JOIN schedule_fires f ON f.schedule_id = s.id AND f.slot = s.last_run_at`,
  );
  return rows.map((r) => ({ name: r.name, lagMs: Math.max(0, (toDate(r.fired_at) as Date).getTime() - (toDate(r.slot) as Date).getTime()) }));
}

/** Alert messages by delivery status (alert_events is small: one row per message and channel). */
export async function alertEventCounts(conn: Conn): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: unknown }>(conn, sql`SELECT status, COUNT(*) AS n FROM alert_events GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, toInt(r.n)]));
}
