/**
 * The dashboard's read queries that need the database's own JSON and time functions
 * (payload field filters, per-minute buckets, result rows sorted by a field of their data).
 * Plain lookups use the Prisma API in src/server; these are here because each has one
 * dialect difference, commented where it is. Over 300 lines: one home for the dashboard's
 * dialect-specific reads, which share the task filters; split by page they would copy them.
 */
import { empty, join, raw, sql, type Sql } from "@/db/dialect";
import { FINISHED_STATUSES, statusIn, statusSql, TASK_STATUSES, TaskStatus } from "../states";
import { dialect, execute, query, toDate, toInt, transaction, type Conn } from "./executor";
import { keepRunsForStats } from "./dailyStats";

/** Filters of the task list. */
export interface TaskFilter {
  statuses?: string[];
  types?: string[];
  queue?: string;
  batchId?: string;
  parentId?: number;
  /** true: only tasks a schedule enqueued. */
  scheduled?: boolean;
  /** Free text: an id, or part of the type, batch id or error. */
  q?: string;
  /** Top-level payload fields, compared as text. */
  payload?: Record<string, string>;
}

/** Top-level payload keys that may be filtered on. */
export const PAYLOAD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function payloadField(conn: Conn, key: string): Sql {
  if (!PAYLOAD_KEY.test(key)) throw new Error(`invalid payload key ${key}`);
  // SQLite: json_extract gives the value itself (text for strings, numbers as numbers), so
  // cast to text; PostgreSQL: payload is text holding JSON, ->> gives text.
  return dialect(conn).provider === "postgres" ? sql`(payload::jsonb ->> ${key})` : sql`CAST(json_extract(payload, ${"$." + key}) AS TEXT)`;
}

function whereOf(conn: Conn, f: TaskFilter, cursor?: number): Sql {
  const parts: Sql[] = [];
  if (cursor) parts.push(sql`id < ${cursor}`);
  const pg = dialect(conn).provider === "postgres";
  const queuedAndOthers = !!f.statuses?.includes(TaskStatus.queued) && f.statuses.length > 1;
  if (pg && (f.queue || queuedAndOthers)) {
    // PostgreSQL: a queue's tasks are found by index under a condition on status: the queued
    // ones in tasks_claim_idx (queue, …), the others in tasks_lease_idx (status, queue, …),
    // which leaves the queued out (migration 0023). So the statuses (every one when none was
    // asked for) are spelt out, the queued apart, and a rare queue is a few index probes
    // instead of a scan of the whole table. Queued and other statuses without a queue are
    // spelt the same way, so that each half can be read by its index.
    // Literals, not parameters, so the planner can prove each index's condition; only known statuses are spelt.
    const asked: readonly string[] = f.statuses?.length ? f.statuses : TASK_STATUSES;
    const known = TASK_STATUSES.filter((st) => asked.includes(st));
    const others = known.filter((st) => st !== TaskStatus.queued);
    const queued = others.length < known.length;
    if (known.length === 0) parts.push(sql`1 = 0`);
    else if (queued && others.length > 0) parts.push(sql`(${statusIn([TaskStatus.queued])} OR ${statusIn(others)})`);
    else parts.push(statusIn(queued ? [TaskStatus.queued] : others));
  } else if (f.statuses?.length) parts.push(sql`status IN (${join(f.statuses)})`);
  if (f.types) parts.push(f.types.length ? sql`type IN (${join(f.types)})` : sql`1 = 0`);
  // SQLite has tasks_queue_idx (queue, id) for a queue filter, in the list's order (migration 0008).
  if (f.queue) parts.push(sql`queue = ${f.queue}`);
  if (f.batchId) parts.push(sql`batch_id = ${f.batchId}`);
  if (f.parentId) parts.push(sql`parent_id = ${f.parentId}`);
  if (f.scheduled) parts.push(sql`schedule_id IS NOT NULL`);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`;
    const id = /^[1-9][0-9]{0,14}$/.test(f.q) ? Number(f.q) : -1;
    parts.push(sql`(id = ${id} OR type LIKE ${like} ESCAPE '\\' OR batch_id LIKE ${like} ESCAPE '\\' OR error LIKE ${like} ESCAPE '\\')`);
  }
  for (const [k, v] of Object.entries(f.payload ?? {})) parts.push(sql`${payloadField(conn, k)} = ${v}`);
  return parts.length ? sql`WHERE ${join(parts, " AND ")}` : empty;
}

/** The statement of findTaskIds (exported so a test can check its plan). */
export function taskIdsQuery(conn: Conn, f: TaskFilter, limit: number, cursor?: number): Sql {
  return sql`SELECT id FROM tasks ${whereOf(conn, f, cursor)} ORDER BY id DESC LIMIT ${limit}`;
}

/** One page of task ids, newest first (keyset pagination on id: no OFFSET scans). */
export async function findTaskIds(conn: Conn, f: TaskFilter, limit: number, cursor?: number): Promise<number[]> {
  const rows = await query<{ id: number }>(conn, taskIdsQuery(conn, f, limit, cursor));
  return rows.map((r) => Number(r.id));
}

/** How many tasks match a filter (a bulk action's count, shown before it is confirmed). */
export async function countTasks(conn: Conn, f: TaskFilter): Promise<number> {
  const rows = await query<{ n: unknown }>(conn, sql`SELECT COUNT(*) AS n FROM tasks ${whereOf(conn, f)}`);
  return toInt(rows[0]?.n);
}

/** The types among the tasks a filter matches (what a bulk retry would run again), and the highest id. */
export async function matchedTypes(conn: Conn, f: TaskFilter): Promise<{ types: string[]; maxId: number }> {
  const rows = await query<{ type: string; max_id: unknown }>(conn, sql`SELECT type, MAX(id) AS max_id FROM tasks ${whereOf(conn, f)} GROUP BY type`);
  return { types: rows.map((r) => r.type), maxId: Math.max(0, ...rows.map((r) => toInt(r.max_id))) };
}

/** Filters of the run list (执行历史); type and scheduleId are the run's task's. */
export interface RunFilter {
  status?: string;
  taskId?: number;
  type?: string;
  scheduleId?: string;
  /** Started at or after. */
  from?: Date;
  /** Started before. */
  to?: Date;
}

/**
 * How many of the newest runs below the cursor a page filtered by its task's type or schedule
 * first looks through one by one (see findRunIds). The look stops as soon as the page is full,
 * so it costs this much only when fewer than one run in 2,000 matches: 18 ms on SQLite.
 */
export const RUN_WINDOW = 100_000;

/**
 * One page of run ids, newest first (keyset pagination on id). A filter on the run's task
 * (type, schedule) has no good single plan on SQLite: looking up each run's task is quick
 * when the type is common and reads every run when it is rare (190 ms at a million runs);
 * collecting the type's tasks first is quick when it is rare and collects 200,000 tasks when
 * it is common (60–150 ms). So the page looks through the newest RUN_WINDOW runs first, task
 * by task, and only when they do not fill it asks for the rest below them by the type's
 * tasks — which then are few. Either way the page holds the runs one query would give.
 * Measured at a million runs: every filter of the dashboard under 20 ms on SQLite and 8 ms on
 * PostgreSQL, whose planner alone had done well too. (`windowSize`: smaller in tests.)
 */
export async function findRunIds(conn: Conn, f: RunFilter, limit: number, cursor?: number, windowSize = RUN_WINDOW): Promise<number[]> {
  const own: Sql[] = [];
  if (f.status) own.push(sql`r.status = ${f.status}`);
  if (f.taskId) own.push(sql`r.task_id = ${f.taskId}`);
  if (f.from) own.push(sql`r.started_at >= ${f.from}`);
  if (f.to) own.push(sql`r.started_at < ${f.to}`);
  const task: Sql[] = [];
  if (f.type) task.push(sql`t.type = ${f.type}`);
  if (f.scheduleId) task.push(sql`t.schedule_id = ${f.scheduleId}`);
  const page = async (where: Sql[], n: number) =>
    (
      await query<{ id: unknown }>(
        conn,
        sql`SELECT r.id FROM runs r ${where.length ? sql`WHERE ${join(where, " AND ")}` : empty} ORDER BY r.id DESC LIMIT ${n}`,
      )
    ).map((row) => Number(row.id));
  const below = cursor ? [sql`r.id < ${cursor}`] : [];
  if (task.length === 0) return page([...below, ...own], limit);

  const top = cursor ?? toInt((await query<{ top: unknown }>(conn, sql`SELECT COALESCE(MAX(id), 0) + 1 AS top FROM runs`))[0]?.top);
  const floor = top - windowSize;
  const newest = await page(
    [...below, sql`r.id >= ${floor}`, ...own, sql`EXISTS (SELECT 1 FROM tasks t WHERE t.id = r.task_id AND ${join(task, " AND ")})`],
    limit,
  );
  if (newest.length === limit || floor <= 1) return newest;
  const older = await page(
    [sql`r.id < ${floor}`, ...own, sql`r.task_id IN (SELECT t.id FROM tasks t WHERE ${join(task, " AND ")})`],
    limit - newest.length,
  );
  return [...newest, ...older];
}

/** Number of tasks per queue and status (all of them): `{queue: {status: n}}`. */
export async function countByQueueStatus(conn: Conn): Promise<Record<string, Record<string, number>>> {
  // GROUP BY status, queue: the order of tasks_lease_idx (status, queue, …), so both databases
  // count from the index alone, as the by-status count before it did. PostgreSQL's holds no
  // queued task (migration 0023): those are counted from tasks_claim_idx (queue, …).
  const rows = await query<{ queue: string; status: string; n: unknown }>(
    conn,
    dialect(conn).provider === "postgres"
      ? sql`SELECT queue, ${statusSql(TaskStatus.queued)} AS status, COUNT(*) AS n FROM tasks WHERE ${statusIn([TaskStatus.queued])} GROUP BY queue
            UNION ALL
            SELECT queue, status, COUNT(*) AS n FROM tasks WHERE status <> ${statusSql(TaskStatus.queued)} GROUP BY status, queue`
      : sql`SELECT queue, status, COUNT(*) AS n FROM tasks GROUP BY status, queue`,
  );
  const out: Record<string, Record<string, number>> = {};
  for (const r of rows) (out[r.queue] ??= {})[r.status] = toInt(r.n);
  return out;
}

/** Queued and running tasks of one queue, and when its longest-waiting due task fell due. */
export interface QueueCount {
  name: string;
  queued: number;
  running: number;
  /** The earliest run_at of its queued tasks, if that is not in the future (null: none due). */
  oldestDueAt: Date | null;
}

/**
 * Queued and running tasks per queue, with the earliest run_at of the queued ones. Two
 * counts, not one `status IN (…)`, so each reads only its own tasks by an index: SQLite uses
 * the partial claim index (which holds only queued tasks, run_at included) for the first, but
 * only when asked for `status = 'queued'` itself.
 */
export async function queueCounts(conn: Conn): Promise<QueueCount[]> {
  const d = dialect(conn);
  const rows = await query<{ queue: string; status: string; n: unknown; oldest: unknown; now: unknown }>(
    conn,
    sql`SELECT queue, ${statusSql(TaskStatus.queued)} AS status, COUNT(*) AS n, MIN(run_at) AS oldest, ${d.now} AS now FROM tasks WHERE ${statusIn([TaskStatus.queued])} GROUP BY queue
        UNION ALL
        SELECT queue, ${statusSql(TaskStatus.running)} AS status, COUNT(*) AS n, NULL AS oldest, NULL AS now FROM tasks WHERE ${statusIn([TaskStatus.running])} GROUP BY queue`,
  );
  const byQueue = new Map<string, QueueCount>();
  for (const r of rows) {
    const q = byQueue.get(r.queue) ?? { name: r.queue, queued: 0, running: 0, oldestDueAt: null };
    if (r.status === "queued") {
      q.queued = toInt(r.n);
      const oldest = toDate(r.oldest);
      const now = toDate(r.now);
      q.oldestDueAt = oldest && now && oldest.getTime() <= now.getTime() ? oldest : null;
    } else q.running = toInt(r.n);
    byQueue.set(r.queue, q);
  }
  return [...byQueue.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Ids of the next queued tasks in the order workers will claim them. */
export async function nextQueuedIds(conn: Conn, limit: number): Promise<number[]> {
  const rows = await query<{ id: number }>(
    conn,
    sql`SELECT id FROM tasks WHERE ${statusIn([TaskStatus.queued])} ORDER BY priority DESC, run_at, id LIMIT ${limit}`,
  );
  return rows.map((r) => Number(r.id));
}

/** Tasks that reached a final state since `since`, by status. */
export async function finishedSince(conn: Conn, since: Date): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: unknown }>(
    conn,
    sql`SELECT status, COUNT(*) AS n FROM tasks WHERE finished_at >= ${since} GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, toInt(r.n)]));
}

/** Succeeded and failed tasks per minute over the last `minutes` minutes, oldest first, gaps filled with zeros. */
export async function throughput(conn: Conn, minutes: number): Promise<{ minute: string; succeeded: number; failed: number }[]> {
  const d = dialect(conn);
  // SQLite keeps times as epoch milliseconds: integer division makes the minute bucket.
  // PostgreSQL: date_trunc on the timestamp.
  const bucket = d.provider === "postgres" ? sql`date_trunc('minute', finished_at)` : sql`(finished_at / 60000) * 60000`;
  const rows = await query<{ bucket: unknown; status: string; n: unknown }>(
    conn,
    sql`SELECT ${bucket} AS bucket, status, COUNT(*) AS n FROM tasks
        WHERE finished_at >= ${d.nowPlus(-minutes * 60_000)} AND ${statusIn([TaskStatus.succeeded, TaskStatus.failed])}
        GROUP BY 1, 2`,
  );
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const points = new Map<number, { minute: string; succeeded: number; failed: number }>();
  for (let i = minutes - 1; i >= 0; i--) {
    const t = end - i * 60_000;
    points.set(t, { minute: new Date(t).toISOString(), succeeded: 0, failed: 0 });
  }
  for (const r of rows) {
    const t = toDate(r.bucket)?.getTime();
    const p = t === undefined ? undefined : points.get(t);
    if (p) p[r.status as "succeeded" | "failed"] = toInt(r.n);
  }
  return [...points.values()];
}

/** Finished runs in [from, to) with their task type: the raw material of per-type statistics. */
export async function runDurations(
  conn: Conn,
  from: Date,
  to: Date,
  cap = 200_000,
): Promise<{ type: string; status: string; durationMs: number | null }[]> {
  const rows = await query<{ type: string; status: string; duration_ms: unknown }>(
    conn,
    sql`SELECT t.type AS type, r.status AS status, r.duration_ms AS duration_ms
        FROM runs r JOIN tasks t ON t.id = r.task_id
        WHERE r.finished_at >= ${from} AND r.finished_at < ${to}
        ORDER BY r.id DESC LIMIT ${cap}`,
  );
  return rows.map((r) => ({ type: r.type, status: r.status, durationMs: r.duration_ms === null ? null : toInt(r.duration_ms) }));
}

/** What a cleanup removed. */
export interface CleanupCounts {
  tasks: number;
  runs: number;
  log_lines: number;
  result_rows: number;
}

/**
 * Deletes finished tasks that finished before `before`, with their runs, log lines and result
 * rows, in batches (each its own transaction, so a huge cleanup never holds the lock long).
 */
export async function deleteFinishedBefore(conn: Conn, before: Date, batch = 500): Promise<CleanupCounts> {
  const total: CleanupCounts = { tasks: 0, runs: 0, log_lines: 0, result_rows: 0 };
  for (;;) {
    const counts = await transaction(conn, async (tx) => {
      // The first statement writes (SQLite: take the write lock before reading).
      const rows = await query<{ id: number }>(
        tx,
        sql`UPDATE tasks SET status = status WHERE id IN (
              SELECT id FROM tasks WHERE ${statusIn(FINISHED_STATUSES)} AND finished_at < ${before} ORDER BY id LIMIT ${batch}
            ) RETURNING id`,
      );
      if (rows.length === 0) return null;
      const ids = join(rows.map((r) => Number(r.id)));
      const [runs, logs] = await Promise.all([
        query<{ n: unknown }>(tx, sql`SELECT COUNT(*) AS n FROM runs WHERE task_id IN (${ids})`),
        query<{ n: unknown }>(tx, sql`SELECT COUNT(*) AS n FROM run_logs WHERE run_id IN (SELECT id FROM runs WHERE task_id IN (${ids}))`),
      ]);
      await keepRunsForStats(tx, sql`t.id IN (${ids})`);
      const results = await execute(tx, sql`DELETE FROM result_rows WHERE task_id IN (${ids})`);
      await execute(tx, sql`DELETE FROM run_logs WHERE run_id IN (SELECT id FROM runs WHERE task_id IN (${ids}))`);
      await execute(tx, sql`DELETE FROM runs WHERE task_id IN (${ids})`);
      const tasks = await execute(tx, sql`DELETE FROM tasks WHERE id IN (${ids})`);
      return { tasks, runs: toInt(runs[0]?.n), log_lines: toInt(logs[0]?.n), result_rows: results };
    });
    if (!counts) return total;
    total.tasks += counts.tasks;
    total.runs += counts.runs;
    total.log_lines += counts.log_lines;
    total.result_rows += counts.result_rows;
  }
}
