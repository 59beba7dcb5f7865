/** Backfills: a schedule's task type run over a date range, one task per trading day, as one batch. */
import { z } from "zod";
import { IdParams } from "./common";
import { endpoint } from "./endpoint";

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

export const startBackfill = endpoint({
  method: "POST",
  path: "/api/schedules/{id}/backfill",
  role: "operator",
  audit: "schedule.backfill",
  tag: "schedules",
  summary: "Run the schedule's task type over a date range: one task per trading day, as one batch (201)",
  params: IdParams,
  body: BackfillBody,
  bodyLimit: 4096,
  response: z.object({ backfill: BackfillJson }),
});

export const listBackfills = endpoint({
  method: "GET",
  path: "/api/schedules/{id}/backfills",
  role: "viewer",
  tag: "schedules",
  summary: "The schedule's latest backfills (newest first), each with the status of every date",
  params: IdParams,
  response: z.object({ items: z.array(BackfillJson) }),
});
