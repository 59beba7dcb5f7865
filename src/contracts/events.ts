/**
 * Server push: `GET /api/events`, a Server-Sent Events stream of the topics a page watches,
 * and the shapes of its events. The browser's EventSource reads it (src/client/live/); so can
 * any program (`curl -N`). Topics:
 *
 *   overview          counts, today's figures, workers online (at most once a second)
 *   tasks             status and progress changes of tasks (filters queue, type, batch_id)
 *   task:{id}         one task's changes
 *   batch:{id}        a batch's roll-up whenever one of its tasks changes (at most once a second)
 *   run:{id}:logs     new log lines of a run, in order, one event each, id = seq
 *   schedules         a schedule fired, was paused, resumed or changed
 *
 * Resume: a log event's id is its seq; reconnecting with `Last-Event-ID: <seq>` (EventSource
 * does it by itself) or `after_seq=<seq>` continues after that line, without gaps or
 * duplicates. Without either, a log topic starts at the run's current last line.
 */
import { z } from "zod";
import { BatchJson } from "./batches";
import { endpoint } from "./endpoint";

/** Topics a stream may watch at once. */
export const MAX_TOPICS = 20;

const TOPIC = /^(overview|tasks|schedules|task:[1-9][0-9]{0,14}|batch:[A-Za-z0-9_.:-]{1,100}|run:[1-9][0-9]{0,14}:logs)$/;

/** One parsed topic. */
export type Topic =
  | { kind: "overview" }
  | { kind: "tasks" }
  | { kind: "schedules" }
  | { kind: "task"; id: number }
  | { kind: "batch"; id: string }
  | { kind: "logs"; runId: number };

/** Parses one topic string (already checked against TOPIC). */
export function parseTopic(t: string): Topic {
  if (t === "overview" || t === "tasks" || t === "schedules") return { kind: t };
  if (t.startsWith("task:")) return { kind: "task", id: Number(t.slice(5)) };
  if (t.startsWith("batch:")) return { kind: "batch", id: t.slice(6) };
  return { kind: "logs", runId: Number(t.slice(4, -5)) };
}

/** The topic string of a parsed topic (parseTopic's inverse). */
export function topicName(t: Topic): string {
  switch (t.kind) {
    case "task":
      return `task:${t.id}`;
    case "batch":
      return `batch:${t.id}`;
    case "logs":
      return `run:${t.runId}:logs`;
    default:
      return t.kind;
  }
}

/** `GET /api/events` query: comma-separated topics, filters of the `tasks` topic, a log resume point. */
export const EventsQuery = z
  .object({
    topics: z
      .string()
      .min(1)
      .max(2000)
      .transform((s) => [...new Set(s.split(",").map((t) => t.trim()).filter(Boolean))])
      .pipe(
        z
          .array(z.string().regex(TOPIC, "unknown topic: use overview, tasks, schedules, task:{id}, batch:{id} or run:{id}:logs"))
          .min(1)
          .max(MAX_TOPICS, `at most ${MAX_TOPICS} topics per stream`)
          .refine((ts) => ts.filter((t) => t.endsWith(":logs")).length <= 1, "at most one run:{id}:logs topic per stream (its events' ids are that log's seqs)"),
      ),
    queue: z.string().min(1).max(100).optional(),
    type: z.string().min(1).max(100).optional(),
    batch_id: z.string().min(1).max(100).optional(),
    after_seq: z.coerce.number().int().min(0).optional(),
  })
  .strict();
export type EventsQuery = z.infer<typeof EventsQuery>;

/** A task as the `tasks` and `task:{id}` events carry it. */
export const TaskChange = z.object({
  id: z.string(),
  type: z.string(),
  queue: z.string(),
  status: z.string(),
  progress: z.number(),
  progress_message: z.string().nullable(),
  batch_id: z.string().nullable(),
  schedule_id: z.string().nullable(),
  run_id: z.string().nullable(),
  attempts: z.number(),
  max_attempts: z.number(),
  cancel_requested: z.boolean(),
  changed_at: z.string(),
});
export type TaskChange = z.infer<typeof TaskChange>;

/** `event: tasks`: the changes since the last one (at most 200; `more` counts the rest, `resync` says the reader skipped ahead). */
export const TasksEvent = z.object({ items: z.array(TaskChange), more: z.number(), resync: z.boolean() });
export type TasksEvent = z.infer<typeof TasksEvent>;

/** `event: overview`. */
export const OverviewEvent = z.object({
  counts: z.record(z.string(), z.number()),
  today: z.object({ total: z.number(), succeeded: z.number(), failed: z.number() }),
  workers_online: z.number(),
  at: z.string(),
});
export type OverviewEvent = z.infer<typeof OverviewEvent>;

/** `event: batch`: a batch's roll-up, exactly as `GET /api/tasks/batches/{id}` answers it. */
export const BatchEvent = BatchJson;
export type BatchEvent = BatchJson;

/** `event: log`: one log line (id = seq), as `GET /api/tasks/runs/{id}/logs` gives it. */
export const LogEvent = z.object({
  run_id: z.string(),
  seq: z.number(),
  ts: z.string(),
  level: z.string(),
  message: z.string(),
  data: z.unknown(),
});
export type LogEvent = z.infer<typeof LogEvent>;

/** `event: log_end`: the run finished and every line was sent. */
export const LogEndEvent = z.object({ run_id: z.string(), status: z.string() });

/** `event: schedules`: which schedules changed or fired. */
export const SchedulesEvent = z.object({ schedule_ids: z.array(z.string()) });

/** `event: hello`: the first event of a stream, once it is set up (a client counts the stream live from here). */
export const HelloEvent = z.object({ topics: z.array(z.string()), keepalive_ms: z.number(), source: z.enum(["notify", "data_version", "poll"]) });

/** `event: resync`: the client fell behind and events were dropped; refetch what it shows. */
export const ResyncEvent = z.object({ reason: z.string() });

/** The stream. */
export const events = endpoint({
  method: "GET",
  path: "/api/events",
  role: "viewer",
  tag: "system",
  summary: "Server-Sent Events of the chosen topics (overview, tasks, task:{id}, batch:{id}, run:{id}:logs, schedules)",
  query: EventsQuery,
  produces: "text/event-stream",
});
