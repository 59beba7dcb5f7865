import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { PatchScheduleBody } from "@/contracts/schedules";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { assertRunnable, checkTask, checkTiming, firstSlot, scheduleOr404, schedulesJson, timingOf } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Params = z.object({ id: IdParam });

/** One schedule with its next five fire times. */
export const GET = route({ role: "viewer", params: Params }, async ({ params }) => {
  const { db } = await getDatabase();
  const [json] = await schedulesJson(db, [await scheduleOr404(db, params.id)]);
  return { json: { schedule: json } };
});

/** Changes a schedule; a new timing (or re-enabling) re-arms it from now. The audit entry keeps before and after. */
export const PATCH = route(
  { role: "operator", audit: "schedule.update", params: Params, body: PatchScheduleBody, bodyLimit: 256 * 1024 },
  async ({ params, body }) => {
    const { db } = await getDatabase();
    const old = await scheduleOr404(db, params.id);
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
    };
    const timing = timingOf({ ...next, createdAt: old.createdAt });
    checkTiming(timing);
    checkTask(next.taskType, JSON.parse(next.payload));
    if (next.enabled) assertRunnable(next);
    if (next.name !== old.name && (await db.schedule.findUnique({ where: { name: next.name } })))
      throw new HttpError("conflict", `a schedule named ${next.name} exists`);
    const rearm =
      ["kind", "cron", "timezone", "interval_seconds", "run_at", "trading_days_only", "after_close_minutes"].some((k) => k in body) ||
      (next.enabled && !old.enabled);
    const row = await db.schedule.update({ where: { id: old.id }, data: { ...next, ...(rearm ? { nextRunAt: firstSlot(timing) } : {}) } });
    const [before] = await schedulesJson(db, [old]);
    const [after] = await schedulesJson(db, [row]);
    return { json: { schedule: after }, audit: { target: `${row.id}:${row.name}`, details: { before, after } } };
  },
);

/** Deletes a schedule (the tasks it enqueued stay). */
export const DELETE = route({ role: "operator", audit: "schedule.delete", params: Params }, async ({ params }) => {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  const [before] = await schedulesJson(db, [old]);
  await db.schedule.delete({ where: { id: old.id } });
  return { json: { ok: true }, audit: { target: `${old.id}:${old.name}`, details: { before } } };
});
