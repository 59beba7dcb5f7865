/** Task reads for the API, and the JSON shape of tasks and runs (snake_case, string ids, ISO times). */
import type { Run, Task } from "@/generated/sqlite/client";
import type { RunJson, TaskJson } from "@/contracts/tasks";
import type { Database } from "@/db/client";
import type { Conn } from "@/queue/sql/executor";
import { liveWorkers } from "@/queue/sql/lease";

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A task row as API JSON. */
export function taskJson(t: Task): TaskJson {
  return {
    id: String(t.id),
    type: t.type,
    queue: t.queue,
    payload: parseJson(t.payload),
    priority: t.priority,
    status: t.status as TaskJson["status"],
    run_at: t.runAt.toISOString(),
    attempts: t.attempts,
    max_attempts: t.maxAttempts,
    timeout_ms: t.timeoutMs,
    batch_id: t.batchId,
    idempotency_key: t.idempotencyKey,
    progress: t.progress,
    progress_message: t.progressMessage,
    result: parseJson(t.result),
    error: t.error,
    created_at: t.createdAt.toISOString(),
    started_at: iso(t.startedAt),
    finished_at: iso(t.finishedAt),
    cancel_requested: t.cancelRequested,
    parent_id: t.parentId === null ? null : String(t.parentId),
    schedule_id: t.scheduleId,
    run_id: t.runId === null ? null : String(t.runId),
    worker_id: t.workerId,
  };
}

/** A run row as API JSON. */
export function runJson(r: Run): RunJson {
  return {
    id: String(r.id),
    task_id: String(r.taskId),
    attempt: r.attempt,
    worker_id: r.workerId,
    status: r.status as RunJson["status"],
    started_at: r.startedAt.toISOString(),
    finished_at: iso(r.finishedAt),
    duration_ms: r.durationMs,
    error: r.error,
  };
}

/** A task with its runs (newest first), or null. */
export async function findTask(database: Database, id: number): Promise<{ task: TaskJson; runs: RunJson[] } | null> {
  const task = await database.db.task.findUnique({ where: { id }, include: { runs: { orderBy: { id: "desc" } } } });
  if (!task) return null;
  return { task: taskJson(task), runs: task.runs.map(runJson) };
}

/** Workers alive in the last minute, as /api/health lists them. */
export async function healthWorkers(conn: Conn) {
  // Several heartbeat intervals of slack, so one slow beat does not make a worker vanish.
  const workers = await liveWorkers(conn, 60_000);
  return workers.map((w) => ({ id: w.id, last_seen_at: w.lastSeenAt.toISOString(), running: w.running }));
}

/** Tasks by id, in the order of `ids`. */
export async function tasksByIds(database: Database, ids: number[]): Promise<TaskJson[]> {
  if (ids.length === 0) return [];
  const rows = await database.db.task.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const t = byId.get(id);
    return t ? [taskJson(t)] : [];
  });
}

/** Midnight of `now`'s day in time zone `tz` (for 今日 figures). */
export function startOfDay(tz: string, now = new Date()): Date {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offset = wall - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(+parts.year, +parts.month - 1, +parts.day) - offset);
}

/** The time zone of "today" on the dashboard. */
export const DASHBOARD_TZ = process.env.QTASK_TIMEZONE || "Asia/Shanghai";

/** p-th percentile (0–100) of sorted numbers, nearest-rank. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}
