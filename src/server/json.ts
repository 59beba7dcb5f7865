/** Tasks and runs as API JSON (snake_case, string ids, ISO times), and the reads that return them. */
import type { Run, Task } from "@/generated/sqlite/client";
import type { RunJson, TaskJson } from "@/contracts/tasks";
import type { Database } from "@/db/client";
import { roleAtLeast } from "@/contracts/roles";
import { projectRelative } from "@/queue/redact";
import type { Principal } from "./auth/principal";
import { scriptOf } from "@/tasks/scripts";
import { registry } from "./context";

/** What a reader may see of tasks and runs: stack traces are for operators and up (a viewer gets the message). */
export interface Viewer {
  stacks: boolean;
}

/** The Viewer of a principal. */
export function viewerOf(principal: Principal | null): Viewer {
  return { stacks: !!principal && roleAtLeast(principal.role, "operator") };
}

/**
 * A stored error as its message (the lines before the first `    at …` frame) and, for a
 * viewer who may see it, the whole text with the project's directory taken out of its paths.
 */
export function errorParts(stored: string | null, viewer: Viewer): { error: string | null; error_stack: string | null } {
  if (stored === null) return { error: null, error_stack: null };
  const lines = stored.split("\n");
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  const message = (firstFrame < 0 ? stored : lines.slice(0, firstFrame).join("\n")).trimEnd();
  return { error: projectRelative(message), error_stack: viewer.stacks && firstFrame >= 0 ? projectRelative(stored) : null };
}

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

/** A script task's payload with its secret params as *** (the stored payload, which retries use, keeps them). */
function shownPayload(type: string, payload: unknown): unknown {
  const spec = scriptOf(registry.get(type));
  if (!spec || !payload || typeof payload !== "object") return payload;
  const out = { ...(payload as Record<string, unknown>) };
  for (const [name, p] of Object.entries(spec.params)) if (p.secret && name in out) out[name] = "***";
  return out;
}

/**
 * A copy's payload with the secrets it could not see put back: a script's secret param sent as
 * *** (as shownPayload showed it) takes the source task's stored value, so 复制为新任务 of a task
 * with a token runs with the token, not with ***. Anything else is the copy's own.
 */
export function unmaskedCopy(
  type: string,
  payload: Record<string, unknown> | undefined,
  source: { type: string; payload: string },
): Record<string, unknown> | undefined {
  const spec = scriptOf(registry.get(type));
  if (!spec || !payload || source.type !== type) return payload;
  const stored = parseJson(source.payload) as Record<string, unknown> | null;
  const out = { ...payload };
  for (const [name, p] of Object.entries(spec.params)) if (p.secret && out[name] === "***" && stored && name in stored) out[name] = stored[name];
  return out;
}

/** A task row as API JSON, as `viewer` may see it. */
export function taskJson(t: Task, viewer: Viewer): TaskJson {
  return {
    id: String(t.id),
    type: t.type,
    queue: t.queue,
    payload: shownPayload(t.type, parseJson(t.payload)),
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
    ...errorParts(t.error, viewer),
    created_at: t.createdAt.toISOString(),
    started_at: iso(t.startedAt),
    finished_at: iso(t.finishedAt),
    cancel_requested: t.cancelRequested,
    parent_id: t.parentId === null ? null : String(t.parentId),
    schedule_id: t.scheduleId,
    run_id: t.runId === null ? null : String(t.runId),
    worker_id: t.workerId,
    cloned_from: t.clonedFrom === null ? null : String(t.clonedFrom),
  };
}

/** A run row as API JSON, as `viewer` may see it. */
export function runJson(r: Run, viewer: Viewer): RunJson {
  return {
    id: String(r.id),
    task_id: String(r.taskId),
    attempt: r.attempt,
    worker_id: r.workerId,
    status: r.status as RunJson["status"],
    started_at: r.startedAt.toISOString(),
    finished_at: iso(r.finishedAt),
    duration_ms: r.durationMs,
    ...errorParts(r.error, viewer),
    info: r.info === null ? null : (parseJson(r.info) as Record<string, unknown>),
  };
}

/** A task with its runs (newest first), or null. */
export async function findTask(database: Database, id: number, viewer: Viewer): Promise<{ task: TaskJson; runs: RunJson[] } | null> {
  const task = await database.db.task.findUnique({ where: { id }, include: { runs: { orderBy: { id: "desc" } } } });
  if (!task) return null;
  return { task: taskJson(task, viewer), runs: task.runs.map((r) => runJson(r, viewer)) };
}

/** Tasks by id, in the order of `ids`. */
export async function tasksByIds(database: Database, ids: number[], viewer: Viewer): Promise<TaskJson[]> {
  if (ids.length === 0) return [];
  const rows = await database.db.task.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const t = byId.get(id);
    return t ? [taskJson(t, viewer)] : [];
  });
}
