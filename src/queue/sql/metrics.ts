/**
 * The reads behind `GET /api/metrics`. Each is an index range over what changed since the
 * previous scrape (new runs by id, finished tasks by tasks_finished_idx) or a read of a small
 * table, so a scrape costs what happened since the last one, never a scan of the tasks table.
 */
import { sql } from "@/db/dialect";
import { RunStatus } from "../states";
import { dialect, query, toDate, toInt, type Conn } from "./executor";

/** Runs opened with an id above `afterId`, with their task's type (ids ascending). */
export async function runsOpenedAfter(conn: Conn, afterId: number): Promise<{ id: number; type: string }[]> {
  const rows = await query<{ id: unknown; type: string }>(
    conn,
    sql`SELECT r.id, t.type FROM runs r JOIN tasks t ON t.id = r.task_id WHERE r.id > ${afterId} ORDER BY r.id`,
  );
  return rows.map((r) => ({ id: Number(r.id), type: r.type }));
}

/** The highest run id and the database's now (where a new scraper's cursors start). */
export async function metricsCursor(conn: Conn): Promise<{ runId: number; now: Date }> {
  const d = dialect(conn);
  const [r] = await query<{ id: unknown; now: unknown }>(conn, sql`SELECT COALESCE(MAX(id), 0) AS id, ${d.now} AS now FROM runs`);
  return { runId: Number(r.id), now: toDate(r.now) as Date };
}

/** A task that reached a final state, as the metrics count it. */
export interface FinishedTask {
  id: number;
  type: string;
  status: string;
  attempts: number;
  runAt: Date;
  startedAt: Date | null;
  finishedAt: Date;
}

/** Tasks whose finished_at is at or after `since`, and the database's now. */
export async function tasksFinishedSince(conn: Conn, since: Date): Promise<{ now: Date; rows: FinishedTask[] }> {
  const d = dialect(conn);
  const [rows, [n]] = await Promise.all([
    query<Record<string, unknown>>(
      conn,
      sql`SELECT id, type, status, attempts, run_at, started_at, finished_at FROM tasks WHERE finished_at >= ${since} ORDER BY finished_at`,
    ),
    query<{ now: unknown }>(conn, sql`SELECT ${d.now} AS now`),
  ]);
  return {
    now: toDate(n.now) as Date,
    rows: rows.map((r) => ({
      id: Number(r.id),
      type: String(r.type),
      status: String(r.status),
      attempts: toInt(r.attempts),
      runAt: toDate(r.run_at) as Date,
      startedAt: toDate(r.started_at),
      finishedAt: toDate(r.finished_at) as Date,
    })),
  };
}

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
