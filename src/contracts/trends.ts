/**
 * Trends: per day over the last 7, 30 or 90 days, the runs by outcome and p50/p95 of duration
 * and wait, for one task type, one queue or the whole fleet — read from the daily roll-up, which
 * retention does not delete (src/queue/dailyStats.ts states how each figure is computed).
 */
import { z } from "zod";
import { endpoint } from "./endpoint";
import { QueueName } from "./taskFilter";

/** `GET /api/tasks/trends`. */
export const TrendsQuery = z
  .object({
    days: z
      .enum(["7", "30", "90"])
      .default("30")
      .transform((v) => Number(v) as 7 | 30 | 90),
    type: z.string().min(1).max(100).optional(),
    queue: QueueName.optional(),
  })
  .strict();

const Ms = z.number().nullable();

/** One day's figures (or the range's, for `totals`). */
export const TrendPoint = z.object({
  runs: z.number(),
  succeeded: z.number(),
  /** failed, timed_out and lost runs. */
  failed: z.number(),
  cancelled: z.number(),
  /** Attempts handed back to the queue (snoozed, or a worker shutting down). */
  requeued: z.number(),
  duration_p50_ms: Ms,
  duration_p95_ms: Ms,
  wait_p50_ms: Ms,
  wait_p95_ms: Ms,
});
export type TrendPoint = z.infer<typeof TrendPoint>;

export const TrendsJson = z.object({
  days: z.number(),
  /** The time zone of the days (QTASK_TIMEZONE). */
  time_zone: z.string(),
  type: z.string().nullable(),
  queue: z.string().nullable(),
  /** One item per day, oldest first, today last (days without runs included, with zeros). */
  items: z.array(TrendPoint.extend({ day: z.string() })),
  totals: TrendPoint,
  /** When the roll-up last ran (today's figures are as of then), or null. */
  rolled_at: z.string().nullable(),
});
export type TrendsJson = z.infer<typeof TrendsJson>;

export const getTrends = endpoint({
  method: "GET",
  path: "/api/tasks/trends",
  role: "viewer",
  tag: "tasks",
  summary: "Per day over 7, 30 or 90 days: runs by outcome, p50/p95 duration and wait, for a type, a queue or the fleet (from the daily roll-up)",
  query: TrendsQuery,
  response: TrendsJson,
});
