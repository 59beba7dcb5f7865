/**
 * The scheduler's statements: a named lease for leader election (one statement, so it is
 * atomic on both databases), the due schedules by the database clock, and firing a slot —
 * the (schedule_id, slot) row is inserted first and only its inserter enqueues the task, so a
 * slot fires at most once even if two processes both believe they lead.
 */
import { sql } from "@/db/dialect";
import { insertTasks, type TaskInsert } from "./enqueue";
import { dialect, execute, query, toDate, transaction, type Conn } from "./executor";

/** Takes or renews lease `name` for `holder`; true while `holder` has it. */
export async function acquireLease(conn: Conn, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const d = dialect(conn);
  const rows = await query<{ holder: string }>(
    conn,
    sql`INSERT INTO leases (name, holder, expires_at) VALUES (${name}, ${holder}, ${d.nowPlus(ttlMs)})
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE leases.holder = excluded.holder OR leases.expires_at < ${d.now}
        RETURNING holder`,
  );
  return rows.length > 0 && rows[0].holder === holder;
}

/** Gives a lease up (graceful shutdown), so another process takes over at once. */
export async function releaseLease(conn: Conn, name: string, holder: string): Promise<void> {
  await execute(conn, sql`DELETE FROM leases WHERE name = ${name} AND holder = ${holder}`);
}

/** A due schedule as the scheduler reads it. */
export interface DueSchedule {
  id: number;
  name: string;
  taskType: string;
  payload: string;
  kind: "cron" | "interval" | "once" | "after_close" | "supervised";
  cron: string | null;
  timezone: string;
  intervalSeconds: number | null;
  runAt: Date | null;
  priority: number;
  timeoutMs: number | null;
  maxAttempts: number | null;
  misfirePolicy: "skip" | "run_once";
  tradingDaysOnly: boolean;
  afterCloseMinutes: number | null;
  nextRunAt: Date;
  createdAt: Date;
  overlapPolicy: "skip" | "allow" | "cancel_previous";
  lastTaskId: number | null;
}

/** Enabled schedules whose next slot is due, and the database's now. */
export async function dueSchedules(conn: Conn, limit = 100): Promise<{ now: Date; due: DueSchedule[] }> {
  const d = dialect(conn);
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT id, name, task_type, payload, kind, cron, timezone, interval_seconds, run_at, priority, timeout_ms, max_attempts,
               misfire_policy, trading_days_only, after_close_minutes, next_run_at, created_at,
               overlap_policy, last_task_id, ${d.now} AS db_now
        FROM schedules WHERE enabled AND next_run_at IS NOT NULL AND next_run_at <= ${d.now}
        ORDER BY next_run_at LIMIT ${limit}`,
  );
  const nowRow = rows.length ? rows[0].db_now : (await query<{ n: unknown }>(conn, sql`SELECT ${d.now} AS n`))[0].n;
  return {
    now: toDate(nowRow) as Date,
    due: rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      taskType: String(r.task_type),
      payload: String(r.payload),
      kind: r.kind as DueSchedule["kind"],
      cron: (r.cron as string | null) ?? null,
      timezone: String(r.timezone),
      intervalSeconds: r.interval_seconds === null ? null : Number(r.interval_seconds),
      runAt: toDate(r.run_at),
      priority: Number(r.priority),
      timeoutMs: r.timeout_ms === null ? null : Number(r.timeout_ms),
      maxAttempts: r.max_attempts === null ? null : Number(r.max_attempts),
      misfirePolicy: r.misfire_policy as DueSchedule["misfirePolicy"],
      tradingDaysOnly: Boolean(r.trading_days_only),
      afterCloseMinutes: r.after_close_minutes === null ? null : Number(r.after_close_minutes),
      nextRunAt: toDate(r.next_run_at) as Date,
      createdAt: toDate(r.created_at) as Date,
      overlapPolicy: r.overlap_policy as DueSchedule["overlapPolicy"],
      lastTaskId: r.last_task_id === null ? null : Number(r.last_task_id),
    })),
  };
}

/**
 * Fires `slot` of schedule `id` with the prepared task row and moves the schedule on to
 * `next`; returns the task id, or null when that slot had already been fired.
 */
export async function fireSlot(conn: Conn, id: number, slot: Date, row: TaskInsert, next: Date | null): Promise<number | null> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const claimed = await query<{ schedule_id: number }>(
      tx,
      sql`INSERT INTO schedule_fires (schedule_id, slot, task_id, fired_at) VALUES (${id}, ${slot}, 0, ${d.now})
          ON CONFLICT (schedule_id, slot) DO NOTHING RETURNING schedule_id`,
    );
    if (claimed.length === 0) {
      await execute(tx, sql`UPDATE schedules SET next_run_at = ${next} WHERE id = ${id} AND next_run_at <= ${slot}`);
      return null;
    }
    const [{ id: taskId }] = await insertTasks(tx, [row]);
    await execute(tx, sql`UPDATE schedule_fires SET task_id = ${taskId} WHERE schedule_id = ${id} AND slot = ${slot}`);
    await execute(tx, sql`UPDATE schedules SET next_run_at = ${next}, last_run_at = ${slot}, last_task_id = ${taskId} WHERE id = ${id}`);
    return taskId;
  });
}

/**
 * Records `slot` of schedule `id` as not fired, because of `reason` (e.g. "overlap", with
 * `taskId` the unfinished task it overlapped), and moves the schedule on to `next`. The fire
 * row's key keeps the slot from being fired later by another process.
 */
export async function skipSlot(conn: Conn, id: number, slot: Date, taskId: number, reason: string, next: Date | null): Promise<boolean> {
  const d = dialect(conn);
  return transaction(conn, async (tx) => {
    const rows = await query(
      tx,
      sql`INSERT INTO schedule_fires (schedule_id, slot, task_id, fired_at, skip_reason) VALUES (${id}, ${slot}, ${taskId}, ${d.now}, ${reason})
          ON CONFLICT (schedule_id, slot) DO NOTHING RETURNING schedule_id`,
    );
    await execute(tx, sql`UPDATE schedules SET next_run_at = ${next} WHERE id = ${id} AND next_run_at <= ${slot}`);
    return rows.length > 0;
  });
}

/** Moves a schedule to its next slot without firing (missed slots skipped, or nothing to run). */
export async function advanceSchedule(conn: Conn, id: number, next: Date | null): Promise<void> {
  await execute(conn, sql`UPDATE schedules SET next_run_at = ${next} WHERE id = ${id}`);
}

/** The last task of a supervised schedule and how many of its latest tasks failed in a row. */
export async function supervisedState(
  conn: Conn,
  scheduleId: number,
): Promise<{ lastId: number | null; lastStatus: string | null; lastFinishedAt: Date | null; failures: number }> {
  const rows = await query<{ id: number; status: string; finished_at: unknown }>(
    conn,
    sql`SELECT id, status, finished_at FROM tasks WHERE schedule_id = ${String(scheduleId)} ORDER BY id DESC LIMIT 12`,
  );
  let failures = 0;
  for (const r of rows) {
    if (r.status === "failed") failures++;
    else break;
  }
  const last = rows[0];
  return {
    lastId: last ? Number(last.id) : null,
    lastStatus: last?.status ?? null,
    lastFinishedAt: last ? toDate(last.finished_at) : null,
    failures,
  };
}
