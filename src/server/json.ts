/** Tasks and runs as API JSON (snake_case, string ids, ISO times), and the reads that return them. */
import type { Run, Task } from "@/generated/sqlite/client";
import type { RunJson, TaskJson } from "@/contracts/tasks";
import type { Database } from "@/db/client";

/** A time as ISO-8601 (null stays null). */
export function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

/** Stored JSON text as a value (text that does not parse is returned as it is). */
export function parseJson(text: string | null): unknown {
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
