/** The dashboard's figures: the overview of the task queue and per-type statistics. */
import { z } from "zod";
import { IsoTime } from "./common";
import { endpoint } from "./endpoint";
import { WorkerJson } from "./system";
import { TaskJson } from "./tasks";

/** `GET /api/tasks/statistics`: per type over [from, to) (default: the last 24 hours). */
export const StatisticsQuery = z.object({ from: IsoTime.optional(), to: IsoTime.optional() }).strict();
export const TypeStatistics = z.object({
  type: z.string(),
  count: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  success_rate: z.number().nullable(),
  avg_ms: z.number().nullable(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});
export type TypeStatistics = z.infer<typeof TypeStatistics>;

/** `GET /api/tasks/overview`. */
export const OverviewResponse = z.object({
  counts: z.record(z.string(), z.number()),
  queues: z.array(z.object({ name: z.string(), queued: z.number(), running: z.number() })),
  running: z.array(TaskJson),
  queued: z.array(TaskJson),
  recent: z.array(TaskJson),
  workers: z.array(WorkerJson),
  stats: z.object({
    today: z.object({ total: z.number(), succeeded: z.number(), failed: z.number(), success_rate: z.number().nullable() }),
    throughput: z.array(z.object({ minute: z.string(), succeeded: z.number(), failed: z.number() })),
  }),
});
export type OverviewResponse = z.infer<typeof OverviewResponse>;

export const getOverview = endpoint({
  method: "GET",
  path: "/api/tasks/overview",
  role: "viewer",
  tag: "tasks",
  summary: "Counts, queues, what runs and waits, recent results, workers, today's figures and the last hour's throughput",
  response: OverviewResponse,
});

export const getStatistics = endpoint({
  method: "GET",
  path: "/api/tasks/statistics",
  role: "viewer",
  tag: "tasks",
  summary: "Per task type: count, success rate, average, p50 and p95 duration over [from, to) (default: last 24 h)",
  query: StatisticsQuery,
  response: z.object({ from: z.string(), to: z.string(), items: z.array(TypeStatistics) }),
});
