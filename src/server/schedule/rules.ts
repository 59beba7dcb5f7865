/** The rules of schedules: validation against the task catalogue and the timing rules, the JSON shape, the next fire times. */
import type { Schedule } from "@/generated/sqlite/client";
import type { CreateScheduleBody, OverlapPolicy, ScheduleJson } from "@/contracts/schedules";
import type { Db } from "@/db/client";
import { unavailableReason } from "@/queue/registry";
import { prepareTask, InvalidTaskError } from "@/queue/enqueue";
import { nextSlot, nextSlots, timingOf, validateTiming, type Timing } from "@/schedule/timing";
import { cancelTask } from "@/queue/sql/control";
import { getQueue, registry } from "../context";
import { HttpError } from "../errors";

export { timingOf };

/** 400 unless the timing works. */
export function checkTiming(t: Timing): void {
  try {
    validateTiming(t);
  } catch (err) {
    throw new HttpError("invalid_input", (err as Error).message, {
      issues: [{ path: t.kind === "cron" ? "cron" : t.kind === "interval" ? "interval_seconds" : "run_at", message: (err as Error).message }],
    });
  }
}

/** 400 unless the task type exists and the payload fits its schema. */
export function checkTask(taskType: string, payload: unknown): void {
  try {
    prepareTask(registry, { type: taskType, payload });
  } catch (err) {
    if (err instanceof InvalidTaskError) throw new HttpError("invalid_input", err.message, err.details);
    throw err;
  }
}

/** The overlap policy a new schedule of `kind` gets when none is given (see OverlapPolicy). */
export function defaultOverlap(kind: string): OverlapPolicy {
  return kind === "cron" || kind === "interval" || kind === "after_close" ? "skip" : "allow";
}

/** The fields of a create body as columns. */
export function columnsOf(b: CreateScheduleBody) {
  return {
    name: b.name,
    taskType: b.task_type,
    payload: JSON.stringify(b.payload ?? {}),
    kind: b.kind,
    cron: b.kind === "cron" ? (b.cron ?? null) : null,
    timezone: b.timezone,
    intervalSeconds: b.kind === "interval" ? (b.interval_seconds ?? null) : null,
    runAt: b.run_at ? new Date(b.run_at) : null,
    tradingDaysOnly: b.trading_days_only,
    afterCloseMinutes: b.kind === "after_close" ? (b.after_close_minutes ?? null) : null,
    description: b.description ?? null,
    priority: b.priority,
    timeoutMs: b.timeout_ms ?? null,
    maxAttempts: b.max_attempts ?? null,
    enabled: b.enabled,
    misfirePolicy: b.misfire_policy,
    overlapPolicy: b.overlap_policy ?? defaultOverlap(b.kind),
  };
}

/** The first slot after now for a schedule that is (re)armed; a supervised one is due at once. */
export function firstSlot(t: Timing, now = new Date()): Date | null {
  return t.kind === "supervised" ? now : nextSlot(t, now);
}

/** A schedule as API JSON, with its next five fire times and the status of its last task. */
export async function schedulesJson(db: Db, rows: Schedule[]): Promise<ScheduleJson[]> {
  const lastIds = rows.map((r) => r.lastTaskId).filter((x): x is number => x !== null);
  const statuses = new Map(
    (await db.task.findMany({ where: { id: { in: lastIds } }, select: { id: true, status: true } })).map((t) => [t.id, t.status]),
  );
  const now = new Date();
  return rows.map((s) => ({
    id: String(s.id),
    name: s.name,
    description: s.description,
    task_type: s.taskType,
    payload: JSON.parse(s.payload) as unknown,
    kind: s.kind as ScheduleJson["kind"],
    cron: s.cron,
    timezone: s.timezone,
    interval_seconds: s.intervalSeconds,
    run_at: s.runAt?.toISOString() ?? null,
    trading_days_only: s.tradingDaysOnly,
    after_close_minutes: s.afterCloseMinutes,
    priority: s.priority,
    timeout_ms: s.timeoutMs,
    max_attempts: s.maxAttempts,
    enabled: s.enabled,
    misfire_policy: s.misfirePolicy as ScheduleJson["misfire_policy"],
    overlap_policy: s.overlapPolicy as OverlapPolicy,
    next_run_at: s.nextRunAt?.toISOString() ?? null,
    next_runs: s.enabled
      ? nextSlots(timingOf(s), s.nextRunAt && s.nextRunAt > now ? new Date(s.nextRunAt.getTime() - 1) : now, 5).map((d) => d.toISOString())
      : [],
    last_run_at: s.lastRunAt?.toISOString() ?? null,
    last_task_id: s.lastTaskId === null ? null : String(s.lastTaskId),
    last_status: s.lastTaskId === null ? null : (statuses.get(s.lastTaskId) ?? null),
    blocked_reason: unavailableReason(registry, s.taskType, JSON.parse(s.payload)),
    as_of_field: registry.get(s.taskType)?.asOfField ?? null,
    from_catalogue: s.catalogueHash !== null,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  }));
}

/** Cancels the unfinished tasks a schedule enqueued (stopping a supervised one); returns their ids. */
export async function cancelLiveTasks(db: Db, scheduleId: number): Promise<string[]> {
  const { conn } = await getQueue();
  const live = await db.task.findMany({ where: { scheduleId: String(scheduleId), status: { in: ["queued", "running"] } }, select: { id: true } });
  for (const t of live) await cancelTask(conn, t.id).catch(() => undefined);
  return live.map((t) => String(t.id));
}

/** 409 when a schedule cannot run as configured (its feed has no URL): enabling or triggering it would only fail. */
export function assertRunnable(s: { taskType: string; payload: string }): void {
  const problem = unavailableReason(registry, s.taskType, JSON.parse(s.payload));
  if (problem) throw new HttpError("conflict", problem);
}

/** Finds a schedule or throws 404. */
export async function scheduleOr404(db: Db, id: number): Promise<Schedule> {
  const s = await db.schedule.findUnique({ where: { id } });
  if (!s) throw new HttpError("not_found", `schedule ${id} not found`);
  return s;
}
