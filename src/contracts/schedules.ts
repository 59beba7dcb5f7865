/** Schedules: request bodies and the JSON shape of a schedule. */
import { z } from "zod";

/** cron, interval, once, after_close (minutes after the 15:00 Shanghai close, trading days), supervised (kept alive). */
export const ScheduleKind = z.enum(["cron", "interval", "once", "after_close", "supervised"]);

const AfterCloseMinutes = z.number().int().min(0).max(539);

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

/** `POST /api/schedules/import` query: preview only, and whether schedules the file does not name are removed. */
export const ImportQuery = z
  .object({
    dry_run: z
      .enum(["true", "false", "1", "0"])
      .default("false")
      .transform((v) => v === "true" || v === "1"),
    mode: z.enum(["merge", "replace"]).default("merge"),
  })
  .strict();

const SpecJson = z.record(z.string(), z.unknown());

/** The result of an import: what changes (before and after per schedule), and whether it was applied. */
export const ImportResult = z.object({
  applied: z.boolean(),
  mode: z.enum(["merge", "replace"]),
  summary: z.object({ added: z.number(), changed: z.number(), removed: z.number(), unchanged: z.number() }),
  changes: z.array(
    z.object({
      name: z.string(),
      action: z.enum(["add", "change", "remove"]),
      fields: z.array(z.string()),
      before: SpecJson.nullable(),
      after: SpecJson.nullable(),
    }),
  ),
});
export type ImportResult = z.infer<typeof ImportResult>;

/** A line-located problem of an invalid catalogue (the `details.problems` of its 400). */
export const CatalogueProblemJson = z.object({ line: z.number().nullable(), column: z.number().nullable(), path: z.string(), message: z.string() });

const Day = z.iso.date();

/** `POST /api/schedules/{id}/backfill`: the inclusive date range (at most about two years of trading days). */
export const BackfillBody = z
  .object({ from: Day, to: Day })
  .strict()
  .refine((b) => b.from <= b.to, { message: "from must not be after to", path: ["to"] });

/** A backfill with the status of each of its dates. */
export const BackfillJson = z.object({
  id: z.string(),
  schedule_id: z.string(),
  batch_id: z.string(),
  from: z.string(),
  to: z.string(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  /** Tasks per status. */
  counts: z.record(z.string(), z.number()),
  dates: z.array(z.object({ date: z.string(), task_id: z.string(), status: z.string(), run_id: z.string().nullable() })),
});
export type BackfillJson = z.infer<typeof BackfillJson>;
