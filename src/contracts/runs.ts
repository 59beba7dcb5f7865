/**
 * Runs (执行历史): the run list's filters, a run's log lines, and the endpoints that read them.
 * A run's JSON shape is in tasks.ts (a task answers with its runs).
 */
import { z } from "zod";
import { Cursor, IdParam, IsoTime, Limit } from "./common";
import { CursorPage, endpoint } from "./endpoint";
import { RUN_STATUSES, RunJson, TaskJson } from "./tasks";

/** `GET /api/tasks/runs` filters. */
export const RunListQuery = z
  .object({
    limit: Limit,
    cursor: Cursor.optional(),
    type: z.string().min(1).max(100).optional(),
    status: z.enum(RUN_STATUSES).optional(),
    schedule_id: z.string().min(1).max(100).optional(),
    task_id: Cursor.optional(),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
  })
  .strict();

/** A run in the run list: with its task's type, queue and schedule. */
export const RunListItem = RunJson.extend({ type: z.string(), queue: z.string(), schedule_id: z.string().nullable() });
export type RunListItem = z.infer<typeof RunListItem>;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** `GET /api/tasks/runs/{run_id}/logs`: lines after `after_seq`, at or above `level`, containing `q`. */
export const LogQuery = z
  .object({
    after_seq: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
    level: z.enum(LOG_LEVELS).optional(),
    q: z.string().min(1).max(200).optional(),
    /** A script's lines from one stream. */
    stream: z.enum(["stdout", "stderr"]).optional(),
  })
  .strict();

export const LogLineJson = z.object({ seq: z.number(), ts: z.string(), level: z.enum(LOG_LEVELS), message: z.string(), data: z.unknown() });
export type LogLineJson = z.infer<typeof LogLineJson>;
export const LogPage = z.object({ items: z.array(LogLineJson), next_after_seq: z.number(), run_finished: z.boolean() });
export type LogPage = z.infer<typeof LogPage>;

const RunParams = z.object({ run_id: IdParam });

export const listRuns = endpoint({
  method: "GET",
  path: "/api/tasks/runs",
  role: "viewer",
  tag: "runs",
  summary: "Runs (执行历史), newest first; filters type, status, schedule_id, task_id, from/to (start time)",
  query: RunListQuery,
  response: CursorPage(RunListItem),
});

export const getRun = endpoint({
  method: "GET",
  path: "/api/tasks/runs/{run_id}",
  role: "viewer",
  tag: "runs",
  summary: "A run with its task and all runs of that task",
  params: RunParams,
  response: z.object({ run: RunJson, task: TaskJson, runs: z.array(RunJson) }),
});

export const runLogs = endpoint({
  method: "GET",
  path: "/api/tasks/runs/{run_id}/logs",
  role: "viewer",
  tag: "runs",
  summary: "Log lines after after_seq (poll with next_after_seq to follow a live run), optionally by level and text",
  params: RunParams,
  query: LogQuery,
  response: LogPage,
});

export const runLogDownload = endpoint({
  method: "GET",
  path: "/api/tasks/runs/{run_id}/logs/download",
  role: "viewer",
  tag: "runs",
  summary: "The whole log of a run as a text file",
  params: RunParams,
  produces: "text/plain",
});
