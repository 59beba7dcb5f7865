/** Schedules: request bodies and the JSON shape of a schedule. */
import { z } from "zod";

const Timing = {
  kind: z.enum(["cron", "interval", "once", "supervised"]),
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
};

/** `POST /api/schedules`. */
export const CreateScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(100),
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
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

/** `PATCH /api/schedules/{id}`: any field of the create body. */
export const PatchScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    task_type: z.string().min(1).max(100).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    kind: Timing.kind.optional(),
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
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

/** `POST /api/schedules/preview`: the next fire times of a timing (for the form). */
export const PreviewBody = z.object({ ...Timing, count: z.number().int().min(1).max(20).default(5) }).strict();

export const ScheduleJson = z.object({
  id: z.string(),
  name: z.string(),
  task_type: z.string(),
  payload: z.unknown(),
  kind: z.enum(["cron", "interval", "once", "supervised"]),
  cron: z.string().nullable(),
  timezone: z.string(),
  interval_seconds: z.number().nullable(),
  run_at: z.string().nullable(),
  trading_days_only: z.boolean(),
  priority: z.number(),
  timeout_ms: z.number().nullable(),
  max_attempts: z.number().nullable(),
  enabled: z.boolean(),
  misfire_policy: z.enum(["skip", "run_once"]),
  next_run_at: z.string().nullable(),
  /** The next five fire times (from now). */
  next_runs: z.array(z.string()),
  last_run_at: z.string().nullable(),
  last_task_id: z.string().nullable(),
  /** Status of the last task it enqueued. */
  last_status: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ScheduleJson = z.infer<typeof ScheduleJson>;
