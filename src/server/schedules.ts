/**
 * The schedule endpoints' verbs: list, read, create, change (re-arming a new timing), delete,
 * pause/resume, start/stop of supervised schedules, trigger now, and the preview of fire times.
 * The rules they apply (validation, columns, JSON) are in schedule/rules.ts.
 */
import type {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listScheduleFires,
  listSchedules,
  pauseSchedule,
  previewSchedule,
  resumeSchedule,
  startSchedule,
  stopSchedule,
  triggerSchedule,
  updateSchedule,
} from "@/contracts/schedules";
import { getDatabase } from "@/db/client";
import { enqueue } from "@/queue/enqueue";
import { nextSlots, taskOfSchedule } from "@/schedule/timing";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import { cursorPage } from "./paging";
import type { Input, Output } from "./route";
import type { Principal } from "./auth/principal";
import { assertMayEnqueue } from "./taskAccess";
import { assertScheduleGapAllowed, assertTaskTimeoutsAllowed, withEnqueueQuota } from "./quota";
import {
  assertRunnable,
  cancelLiveTasks,
  checkTask,
  checkTiming,
  columnsOf,
  firstSlot,
  scheduleOr404,
  schedulesJson,
  timingOf,
} from "./schedule/rules";

/** 403 unless the caller may make the schedule's task: changing, pausing or firing an admin's maintenance schedule needs an admin too. */
function assertMayControl(principal: Principal, s: { taskType: string; payload: string }): void {
  assertMayEnqueue(principal, s.taskType, JSON.parse(s.payload));
}

/** Fields whose change re-arms a schedule from now. */
const TIMING_FIELDS = ["kind", "cron", "timezone", "interval_seconds", "run_at", "trading_days_only", "after_close_minutes"] as const;

/** Schedules, by id. */
export async function list({ query }: Input<typeof listSchedules>): Promise<Output<typeof listSchedules>> {
  const { db } = await getDatabase();
  const rows = await db.schedule.findMany({
    where: query.cursor ? { id: { gt: Number(query.cursor) } } : {},
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });
  const page = cursorPage(rows, query.limit, (r) => r);
  return { json: { items: await schedulesJson(db, page.items), next_cursor: page.next_cursor } };
}

/** One schedule with its next five fire times. */
export async function get({ params }: Input<typeof getSchedule>): Promise<Output<typeof getSchedule>> {
  const { db } = await getDatabase();
  const [json] = await schedulesJson(db, [await scheduleOr404(db, params.id)]);
  return { json: { schedule: json } };
}

/** Creates a schedule; its first slot is the next one after now (a supervised one is due at once). */
export async function create({ body, principal }: Input<typeof createSchedule>): Promise<Output<typeof createSchedule>> {
  const { db } = await getDatabase();
  assertMayEnqueue(principal, body.task_type, body.payload);
  const cols = columnsOf(body);
  const createdAt = new Date();
  const timing = timingOf({ ...cols, createdAt });
  checkTiming(timing);
  checkTask(body.task_type, body.payload);
  assertScheduleGapAllowed(principal, timing);
  assertTaskTimeoutsAllowed(principal, body.task_type, body.payload, body.timeout_ms);
  if (cols.enabled) assertRunnable(cols);
  if (await db.schedule.findUnique({ where: { name: body.name } })) throw new HttpError("conflict", `a schedule named ${body.name} exists`);
  const row = await db.schedule.create({ data: { ...cols, createdAt, nextRunAt: firstSlot(timing, createdAt) } }).catch(nameTaken(body.name));
  const [json] = await schedulesJson(db, [row]);
  return { status: 201, json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: { after: json } } };
}

/**
 * Changes a schedule; a new timing (or re-enabling) re-arms it from now. The change is one
 * statement that applies only while the row is still the one it was computed from (its
 * updated_at), so two changes at once cannot lose one another: the later gets a 409 and
 * nothing is written. The audit entry keeps before and after.
 */
export async function update({ params, body, principal }: Input<typeof updateSchedule>): Promise<Output<typeof updateSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  const next = {
    name: body.name ?? old.name,
    taskType: body.task_type ?? old.taskType,
    payload: body.payload !== undefined ? JSON.stringify(body.payload) : old.payload,
    kind: body.kind ?? old.kind,
    cron: body.cron !== undefined ? body.cron : old.cron,
    timezone: body.timezone ?? old.timezone,
    intervalSeconds: body.interval_seconds !== undefined ? body.interval_seconds : old.intervalSeconds,
    runAt: body.run_at !== undefined ? (body.run_at ? new Date(body.run_at) : null) : old.runAt,
    tradingDaysOnly: body.trading_days_only ?? old.tradingDaysOnly,
    afterCloseMinutes: body.after_close_minutes !== undefined ? body.after_close_minutes : old.afterCloseMinutes,
    description: body.description !== undefined ? body.description : old.description,
    priority: body.priority ?? old.priority,
    timeoutMs: body.timeout_ms !== undefined ? body.timeout_ms : old.timeoutMs,
    maxAttempts: body.max_attempts !== undefined ? body.max_attempts : old.maxAttempts,
    enabled: body.enabled ?? old.enabled,
    misfirePolicy: body.misfire_policy ?? old.misfirePolicy,
    overlapPolicy: body.overlap_policy ?? old.overlapPolicy,
  };
  const timing = timingOf({ ...next, createdAt: old.createdAt });
  checkTiming(timing);
  checkTask(next.taskType, JSON.parse(next.payload));
  assertMayEnqueue(principal, next.taskType, JSON.parse(next.payload));
  // Limits apply to what this change sets: an admin's 1-second schedule stays editable otherwise.
  if (TIMING_FIELDS.some((k) => k in body)) assertScheduleGapAllowed(principal, timing);
  if ("timeout_ms" in body || "payload" in body || "task_type" in body)
    assertTaskTimeoutsAllowed(principal, next.taskType, JSON.parse(next.payload), "timeout_ms" in body ? next.timeoutMs : null);
  if (next.enabled) assertRunnable(next);
  if (next.name !== old.name && (await db.schedule.findUnique({ where: { name: next.name } })))
    throw new HttpError("conflict", `a schedule named ${next.name} exists`);
  const rearm = TIMING_FIELDS.some((k) => k in body) || (next.enabled && !old.enabled);
  const data = { ...next, ...(rearm ? { nextRunAt: firstSlot(timing) } : {}) };
  const { count } = await db.schedule.updateMany({ where: { id: old.id, updatedAt: old.updatedAt }, data }).catch(nameTaken(next.name));
  if (count === 0) throw new HttpError("conflict", `schedule ${old.id} was changed or deleted meanwhile; reload it and try again`);
  const row = await scheduleOr404(db, old.id);
  const [before, after] = await schedulesJson(db, [old, row]);
  return { json: { schedule: after }, audit: { target: `${row.id}:${row.name}`, details: { before, after } } };
}

/** Deletes a schedule (the tasks it enqueued stay). */
export async function remove({ params, principal }: Input<typeof deleteSchedule>): Promise<Output<typeof deleteSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  const [before] = await schedulesJson(db, [old]);
  await db.schedule.delete({ where: { id: old.id } });
  return { json: { ok: true }, audit: { target: `${old.id}:${old.name}`, details: { before } } };
}

/** Stops firing (slots while paused are not replayed); a supervised schedule's running task is cancelled too. */
export async function pause({ params, principal }: Input<typeof pauseSchedule>): Promise<Output<typeof pauseSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: false } });
  const cancelled = old.kind === "supervised" ? await cancelLiveTasks(db, old.id) : [];
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: cancelled.length ? { cancelled } : undefined } };
}

/** Fires again from the next slot after now. */
export async function resume({ params, principal }: Input<typeof resumeSchedule>): Promise<Output<typeof resumeSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  assertRunnable(old);
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: true, nextRunAt: firstSlot(timingOf(old)) } });
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}` } };
}

/** Starts a supervised schedule: the scheduler keeps one task of it running from now on. */
export async function start({ params, principal }: Input<typeof startSchedule>): Promise<Output<typeof startSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  assertRunnable(old);
  if (old.kind !== "supervised") throw new HttpError("conflict", "only supervised schedules are started and stopped; use resume");
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: true, nextRunAt: new Date() } });
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}` } };
}

/** Stops a supervised schedule: no more restarts, and its running task is cancelled. */
export async function stop({ params, principal }: Input<typeof stopSchedule>): Promise<Output<typeof stopSchedule>> {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertMayControl(principal, old);
  if (old.kind !== "supervised") throw new HttpError("conflict", "only supervised schedules are started and stopped; use pause");
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: false } });
  const cancelled = await cancelLiveTasks(db, old.id);
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: { cancelled } } };
}

/** Enqueues the schedule's task now (outside its slots). */
export async function trigger({ params, principal }: Input<typeof triggerSchedule>): Promise<Output<typeof triggerSchedule>> {
  const { database, conn } = await getQueue();
  const s = await scheduleOr404(database.db, params.id);
  assertMayControl(principal, s);
  assertRunnable(s);
  const { id } = await withEnqueueQuota(principal, 1, () => enqueue(conn, registry, taskOfSchedule(s)));
  await database.db.schedule.update({ where: { id: s.id }, data: { lastTaskId: id, lastRunAt: new Date() } });
  return { json: { task_id: String(id) }, audit: { target: `${s.id}:${s.name}`, details: { task_id: String(id) } } };
}

/** The next fire times of a timing, or 400 with the reason (the schedule form's live check). */
export async function preview({ body }: Input<typeof previewSchedule>): Promise<Output<typeof previewSchedule>> {
  const timing = {
    kind: body.kind,
    cron: body.cron,
    timezone: body.timezone,
    intervalSeconds: body.interval_seconds,
    runAt: body.run_at ? new Date(body.run_at) : body.kind === "interval" ? new Date() : null,
    tradingDaysOnly: body.trading_days_only,
    afterCloseMinutes: body.after_close_minutes ?? null,
  };
  checkTiming(timing);
  return { json: { next_runs: nextSlots(timing, new Date(), body.count).map((d) => d.toISOString()) } };
}

/** Maps a unique-name violation (two creates or renames racing) onto a 409. */
function nameTaken(name: string) {
  return (err: unknown): never => {
    if ((err as { code?: string }).code === "P2002") throw new HttpError("conflict", `a schedule named ${name} exists`);
    throw err;
  };
}

/** The schedule's latest slots, fired or skipped, newest first. */
export async function fires({ params, query }: Input<typeof listScheduleFires>): Promise<Output<typeof listScheduleFires>> {
  const { db } = await getDatabase();
  const s = await scheduleOr404(db, params.id);
  const rows = await db.scheduleFire.findMany({ where: { scheduleId: s.id }, orderBy: { slot: "desc" }, take: query.limit });
  const ids = [...new Set(rows.map((r) => r.taskId).filter((id) => id > 0))];
  const statuses = new Map((await db.task.findMany({ where: { id: { in: ids } }, select: { id: true, status: true } })).map((t) => [t.id, t.status]));
  const items = rows.map((r) => ({
    slot: r.slot.toISOString(),
    fired_at: r.firedAt.toISOString(),
    task_id: r.taskId > 0 ? String(r.taskId) : null,
    task_status: statuses.get(r.taskId) ?? null,
    skip_reason: r.skipReason,
  }));
  return { json: { items } };
}
