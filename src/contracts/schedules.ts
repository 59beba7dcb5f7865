/**
 * Schedules: request bodies, the JSON shape of a schedule, and the schedule endpoints (CRUD,
 * pause/resume, start/stop of supervised ones, trigger, preview of fire times).
 */
import { z } from "zod";
import { IdParams, ListQuery } from "./common";
import { CursorPage, endpoint, Ok } from "./endpoint";

/** cron, interval, once, after_close (minutes after the 15:00 Shanghai close, trading days), supervised (kept alive). */
export const ScheduleKind = z.enum(["cron", "interval", "once", "after_close", "supervised"]);

const AfterCloseMinutes = z.number().int().min(0).max(539);

/**
 * What a slot due while the schedule's previous task is unfinished does: `skip` it (recorded
 * in the schedule's fire history with the reason), `allow` a second copy beside the first, or
 * `cancel_previous` and start the new one. Default for new cron, interval and after_close
 * schedules: skip; for once and supervised ones it does not apply (allow).
 */
export const OverlapPolicy = z.enum(["skip", "allow", "cancel_previous"]);
export type OverlapPolicy = z.infer<typeof OverlapPolicy>;

const Timing = {
  kind: ScheduleKind,
  cron: z.string().trim().min(1).max(120).optional(),
  timezone: z.string().min(1).max(64).default("Asia/Shanghai"),
  interval_seconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400)
    .optional(),
  run_at: z.iso.datetime({ offset: true }).optional(),
  trading_days_only: z.boolean().default(false),
  after_close_minutes: AfterCloseMinutes.optional(),
};

/** `POST /api/schedules`. */
export const CreateScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(500).optional(),
    task_type: z.string().min(1).max(100),
    payload: z.record(z.string(), z.unknown()).default({}),
    ...Timing,
    priority: z.number().int().min(100).max(900).default(500),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(7 * 86_400_000)
      .optional(),
    max_attempts: z.number().int().min(1).max(100).optional(),
    enabled: z.boolean().default(true),
    misfire_policy: z.enum(["skip", "run_once"]).default("run_once"),
    overlap_policy: OverlapPolicy.optional(),
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

/** `PATCH /api/schedules/{id}`: any field of the create body. */
export const PatchScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    description: z.string().trim().max(500).nullable().optional(),
    task_type: z.string().min(1).max(100).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    kind: ScheduleKind.optional(),
    cron: z.string().trim().min(1).max(120).nullable().optional(),
    timezone: z.string().min(1).max(64).optional(),
    interval_seconds: z
      .number()
      .int()
      .min(1)
      .max(366 * 86_400)
      .nullable()
      .optional(),
    run_at: z.iso.datetime({ offset: true }).nullable().optional(),
    trading_days_only: z.boolean().optional(),
    after_close_minutes: AfterCloseMinutes.nullable().optional(),
    priority: z.number().int().min(100).max(900).optional(),
    timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(7 * 86_400_000)
      .nullable()
      .optional(),
    max_attempts: z.number().int().min(1).max(100).nullable().optional(),
    enabled: z.boolean().optional(),
    misfire_policy: z.enum(["skip", "run_once"]).optional(),
    overlap_policy: OverlapPolicy.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

/** `POST /api/schedules/preview`: the next fire times of a timing (for the form). */
export const PreviewBody = z.object({ ...Timing, count: z.number().int().min(1).max(20).default(5) }).strict();

export const ScheduleJson = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  task_type: z.string(),
  payload: z.unknown(),
  kind: ScheduleKind,
  cron: z.string().nullable(),
  timezone: z.string(),
  interval_seconds: z.number().nullable(),
  run_at: z.string().nullable(),
  trading_days_only: z.boolean(),
  after_close_minutes: z.number().nullable(),
  priority: z.number(),
  timeout_ms: z.number().nullable(),
  max_attempts: z.number().nullable(),
  enabled: z.boolean(),
  misfire_policy: z.enum(["skip", "run_once"]),
  overlap_policy: OverlapPolicy,
  next_run_at: z.string().nullable(),
  /** The next five fire times (from now). */
  next_runs: z.array(z.string()),
  last_run_at: z.string().nullable(),
  last_task_id: z.string().nullable(),
  /** Status of the last task it enqueued. */
  last_status: z.string().nullable(),
  /** Why it cannot run as configured (e.g. its feed has no URL), or null. */
  blocked_reason: z.string().nullable(),
  /** The payload field a backfill sets per trading day, or null when the task type cannot be backfilled. */
  as_of_field: z.string().nullable(),
  /** Declared in config/tasks.yaml (re-applied at start when the file's entry changes). */
  from_catalogue: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ScheduleJson = z.infer<typeof ScheduleJson>;

const One = z.object({ schedule: ScheduleJson });

export const listSchedules = endpoint({
  method: "GET",
  path: "/api/schedules",
  role: "viewer",
  tag: "schedules",
  summary: "Schedules, by id, with their next five fire times",
  query: ListQuery,
  response: CursorPage(ScheduleJson),
});

export const createSchedule = endpoint({
  method: "POST",
  path: "/api/schedules",
  role: "operator",
  audit: "schedule.create",
  tag: "schedules",
  summary: "Create a schedule (cron with a time zone, interval, once, after_close or supervised); its first slot is the next one after now",
  body: CreateScheduleBody,
  bodyLimit: 256 * 1024,
  response: One,
});

export const previewSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/preview",
  role: "viewer",
  tag: "schedules",
  summary: "The next fire times of a timing, or 400 with the reason (the schedule form's live check; changes nothing)",
  body: PreviewBody,
  bodyLimit: 4096,
  response: z.object({ next_runs: z.array(z.string()) }),
});

export const getSchedule = endpoint({
  method: "GET",
  path: "/api/schedules/{id}",
  role: "viewer",
  tag: "schedules",
  summary: "One schedule with its next five fire times",
  params: IdParams,
  response: One,
});

export const updateSchedule = endpoint({
  method: "PATCH",
  path: "/api/schedules/{id}",
  role: "operator",
  audit: "schedule.update",
  tag: "schedules",
  summary: "Change a schedule; a new timing (or re-enabling) re-arms it from now. The audit entry keeps before and after",
  params: IdParams,
  body: PatchScheduleBody,
  bodyLimit: 256 * 1024,
  response: One,
});

export const deleteSchedule = endpoint({
  method: "DELETE",
  path: "/api/schedules/{id}",
  role: "operator",
  audit: "schedule.delete",
  tag: "schedules",
  summary: "Delete a schedule (the tasks it enqueued stay)",
  params: IdParams,
  response: Ok,
});

export const pauseSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/pause",
  role: "operator",
  audit: "schedule.pause",
  tag: "schedules",
  summary: "Stop firing (slots while paused are not replayed); a supervised schedule's running task is cancelled",
  params: IdParams,
  response: One,
});

export const resumeSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/resume",
  role: "operator",
  audit: "schedule.resume",
  tag: "schedules",
  summary: "Fire again from the next slot after now",
  params: IdParams,
  response: One,
});

export const startSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/start",
  role: "operator",
  audit: "schedule.start",
  tag: "schedules",
  summary: "Supervised: keep one task of it running from now on (restarted with backoff)",
  params: IdParams,
  response: One,
});

export const stopSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/stop",
  role: "operator",
  audit: "schedule.stop",
  tag: "schedules",
  summary: "Supervised: no more restarts, and its running task is cancelled",
  params: IdParams,
  response: One,
});

export const triggerSchedule = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/trigger",
  role: "operator",
  audit: "schedule.trigger",
  tag: "schedules",
  summary: "Enqueue the schedule's task now (outside its slots)",
  params: IdParams,
  response: z.object({ task_id: z.string() }),
});

/** One slot of a schedule: fired (its task) or skipped (why, and the task it overlapped). */
export const ScheduleFireJson = z.object({
  slot: z.string(),
  fired_at: z.string(),
  task_id: z.string().nullable(),
  task_status: z.string().nullable(),
  /** null: fired; "overlap": the previous task (task_id) was unfinished and the policy is skip. */
  skip_reason: z.string().nullable(),
});
export type ScheduleFireJson = z.infer<typeof ScheduleFireJson>;

export const listScheduleFires = endpoint({
  method: "GET",
  path: "/api/schedules/{id}/fires",
  role: "viewer",
  tag: "schedules",
  summary: "The schedule's latest slots, newest first: each fired (with its task and status) or skipped (with the reason)",
  params: IdParams,
  query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict(),
  response: z.object({ items: z.array(ScheduleFireJson) }),
});
