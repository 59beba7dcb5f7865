/**
 * The API's endpoints and their schemas, turned into an OpenAPI 3.1 document with zod 4's
 * JSON Schema output. The route-guard test checks that every route handler is listed here
 * with the role it really enforces, so the document cannot drift from the code.
 */
import { z } from "zod";
import { AuditQuery, CreateTokenBody, CreateUserBody, LoginBody, MeJson, PatchUserBody, TokenJson, UserJson, AuditJson } from "./auth";
import { ErrorEnvelope, ListQuery } from "./common";
import { BackfillBody, BackfillJson, CreateScheduleBody, ImportQuery, ImportResult, PatchScheduleBody, PreviewBody, ScheduleJson } from "./schedules";
import { FundListQuery, FundPage, NavJson, NavQuery } from "./funds";
import { SignalsBatchBody, SignalsPage, SignalsPageQuery } from "./signals";
import { BacktestBatch, CreateBacktestBody } from "./backtests";
import { ExecuteStrategyBody } from "./strategies";
import {
  BatchBody,
  BatchJson,
  BulkBody,
  CleanupBody,
  CreateTaskBody,
  HealthResponse,
  LogPage,
  LogQuery,
  OverviewResponse,
  ResultsPage,
  ResultsQuery,
  RunJson,
  RunListQuery,
  StatisticsQuery,
  TaskJson,
  TaskListQuery,
  TaskTypeJson,
  TypeStatistics,
} from "./tasks";

export interface Endpoint {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  role: "public" | "viewer" | "operator" | "admin";
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Non-JSON answer (file download). */
  produces?: string;
  /** Non-JSON request body (a document upload). */
  consumes?: string;
  tag: string;
}

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
const ok = z.object({ ok: z.literal(true) });

/** Every endpoint of the API. */
export const ENDPOINTS: Endpoint[] = [
  {
    method: "GET",
    path: "/api/health",
    role: "public",
    tag: "system",
    summary: "Liveness of the web server, the database and the workers",
    response: HealthResponse,
  },
  {
    method: "GET",
    path: "/api/docs",
    role: "public",
    tag: "system",
    summary: "This document (JSON with ?format=json or Accept: application/json; otherwise a readable page)",
  },
  {
    method: "POST",
    path: "/api/auth/login",
    role: "public",
    tag: "auth",
    summary: "Sign in; sets the session cookie",
    body: LoginBody,
    response: z.object({ user: MeJson }),
  },
  { method: "POST", path: "/api/auth/logout", role: "viewer", tag: "auth", summary: "End the session", response: ok },
  { method: "GET", path: "/api/auth/me", role: "viewer", tag: "auth", summary: "Who is signed in", response: z.object({ user: MeJson }) },
  { method: "GET", path: "/api/auth/tokens", role: "admin", tag: "auth", summary: "API tokens", query: ListQuery, response: page(TokenJson) },
  {
    method: "POST",
    path: "/api/auth/tokens",
    role: "admin",
    tag: "auth",
    summary: "Create an API token (the secret is returned once)",
    body: CreateTokenBody,
    response: z.object({ token: TokenJson, secret: z.string() }),
  },
  {
    method: "DELETE",
    path: "/api/auth/tokens/{id}",
    role: "admin",
    tag: "auth",
    summary: "Revoke an API token",
    response: z.object({ token: TokenJson }),
  },
  { method: "GET", path: "/api/users", role: "admin", tag: "users", summary: "Users", query: ListQuery, response: page(UserJson) },
  {
    method: "POST",
    path: "/api/users",
    role: "admin",
    tag: "users",
    summary: "Create a user",
    body: CreateUserBody,
    response: z.object({ user: UserJson }),
  },
  {
    method: "PATCH",
    path: "/api/users/{id}",
    role: "admin",
    tag: "users",
    summary: "Change role, reset password, disable",
    body: PatchUserBody,
    response: z.object({ user: UserJson }),
  },
  { method: "DELETE", path: "/api/users/{id}", role: "admin", tag: "users", summary: "Delete a user", response: ok },
  {
    method: "GET",
    path: "/api/audit",
    role: "admin",
    tag: "users",
    summary: "Audit log of state-changing actions",
    query: AuditQuery,
    response: page(AuditJson),
  },
  {
    method: "GET",
    path: "/api/task-types",
    role: "viewer",
    tag: "tasks",
    summary: "Registered task types with the JSON Schema of their payload",
    response: z.object({ items: z.array(TaskTypeJson) }),
  },
  {
    method: "GET",
    path: "/api/tasks",
    role: "viewer",
    tag: "tasks",
    summary: "Tasks, newest first; filters, and payload.<key>=<value>",
    query: TaskListQuery,
    response: page(TaskJson),
  },
  {
    method: "POST",
    path: "/api/tasks",
    role: "operator",
    tag: "tasks",
    summary: "Enqueue one task (201; 200 with the existing task on an idempotency hit)",
    body: CreateTaskBody,
    response: z.object({ task: TaskJson }),
  },
  {
    method: "POST",
    path: "/api/tasks/batch",
    role: "operator",
    tag: "tasks",
    summary: "Enqueue many tasks in one transaction",
    body: BatchBody,
    response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()) }),
  },
  { method: "POST", path: "/api/tasks/bulk", role: "operator", tag: "tasks", summary: "Cancel, retry or delete many tasks", body: BulkBody },
  { method: "GET", path: "/api/tasks/overview", role: "viewer", tag: "tasks", summary: "Dashboard overview", response: OverviewResponse },
  {
    method: "GET",
    path: "/api/tasks/statistics",
    role: "viewer",
    tag: "tasks",
    summary: "Per type: count, success rate, avg/p50/p95 duration",
    query: StatisticsQuery,
    response: z.object({ from: z.string(), to: z.string(), items: z.array(TypeStatistics) }),
  },
  { method: "POST", path: "/api/tasks/cleanup", role: "admin", tag: "tasks", summary: "Delete finished tasks older than N days", body: CleanupBody },
  {
    method: "GET",
    path: "/api/tasks/{id}",
    role: "viewer",
    tag: "tasks",
    summary: "A task with its runs",
    response: z.object({ task: TaskJson, runs: z.array(RunJson) }),
  },
  { method: "DELETE", path: "/api/tasks/{id}", role: "operator", tag: "tasks", summary: "Delete a finished task", response: ok },
  {
    method: "POST",
    path: "/api/tasks/{id}/cancel",
    role: "operator",
    tag: "tasks",
    summary: "Cancel (queued: now; running: requested; finished: 409)",
  },
  {
    method: "POST",
    path: "/api/tasks/{id}/retry",
    role: "operator",
    tag: "tasks",
    summary: "Retry a failed or cancelled task",
    response: z.object({ task: TaskJson }),
  },
  {
    method: "GET",
    path: "/api/tasks/{id}/results",
    role: "viewer",
    tag: "tasks",
    summary: "Result rows, page-numbered and sortable",
    query: ResultsQuery,
    response: ResultsPage,
  },
  { method: "GET", path: "/api/tasks/{id}/results/download", role: "viewer", tag: "tasks", summary: "All result rows as CSV", produces: "text/csv" },
  {
    method: "GET",
    path: "/api/tasks/batches/{batch_id}",
    role: "viewer",
    tag: "tasks",
    summary: "A batch rolled up: counts, progress, ETA",
    response: BatchJson,
  },
  {
    method: "POST",
    path: "/api/tasks/batches/{batch_id}/retry_failed",
    role: "operator",
    tag: "tasks",
    summary: "Retry only the failed tasks of a batch",
  },
  {
    method: "POST",
    path: "/api/funds/signals/batch",
    role: "operator",
    tag: "funds",
    summary: "Signals for funds ({fund_codes} or {all: true}, optional params) → 202 {task_id}",
    body: SignalsBatchBody,
    response: z.object({ task_id: z.string() }),
  },
  {
    method: "POST",
    path: "/api/funds/signals/batch_async",
    role: "operator",
    tag: "funds",
    summary: "Same as /api/funds/signals/batch",
    body: SignalsBatchBody,
    response: z.object({ task_id: z.string() }),
  },
  {
    method: "GET",
    path: "/api/funds/signals/batch_async/{task_id}",
    role: "viewer",
    tag: "funds",
    summary: "A page of a signals batch's results; fills in while it runs",
    query: SignalsPageQuery,
    response: SignalsPage,
  },
  { method: "GET", path: "/api/strategies", role: "viewer", tag: "strategies", summary: "Screening strategies" },
  {
    method: "POST",
    path: "/api/strategies/{id}/execute",
    role: "operator",
    tag: "strategies",
    summary: "Screen all funds → 202 {task_id}; matches are the task's result rows",
    body: ExecuteStrategyBody,
    response: z.object({ task_id: z.string() }),
  },
  {
    method: "POST",
    path: "/api/backtests",
    role: "operator",
    tag: "backtests",
    summary: "One backtest task per fund as a batch → 201 {batch_id, task_ids}",
    body: CreateBacktestBody,
    response: z.object({ batch_id: z.string(), task_ids: z.array(z.string()) }),
  },
  {
    method: "GET",
    path: "/api/backtests/batches/{batch_id}",
    role: "viewer",
    tag: "backtests",
    summary: "Every task of a backtest batch with status and metrics",
    response: BacktestBatch,
  },
  { method: "GET", path: "/api/schedules", role: "viewer", tag: "schedules", summary: "Schedules with their next five fire times", query: ListQuery },
  {
    method: "POST",
    path: "/api/schedules",
    role: "operator",
    tag: "schedules",
    summary: "Create a schedule (cron with time zone, interval or once; optionally trading days only)",
    body: CreateScheduleBody,
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "POST",
    path: "/api/schedules/preview",
    role: "viewer",
    tag: "schedules",
    summary: "The next fire times of a timing, or 400 with the reason (changes nothing)",
    body: PreviewBody,
    response: z.object({ next_runs: z.array(z.string()) }),
  },
  {
    method: "GET",
    path: "/api/schedules/{id}",
    role: "viewer",
    tag: "schedules",
    summary: "One schedule",
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "PATCH",
    path: "/api/schedules/{id}",
    role: "operator",
    tag: "schedules",
    summary: "Change a schedule (a new timing re-arms it from now)",
    body: PatchScheduleBody,
    response: z.object({ schedule: ScheduleJson }),
  },
  { method: "DELETE", path: "/api/schedules/{id}", role: "operator", tag: "schedules", summary: "Delete a schedule (its tasks stay)", response: ok },
  {
    method: "POST",
    path: "/api/schedules/{id}/pause",
    role: "operator",
    tag: "schedules",
    summary: "Stop firing",
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "POST",
    path: "/api/schedules/{id}/resume",
    role: "operator",
    tag: "schedules",
    summary: "Fire again from the next slot after now",
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "POST",
    path: "/api/schedules/{id}/start",
    role: "operator",
    tag: "schedules",
    summary: "Supervised: keep one task running (restarted with backoff)",
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "POST",
    path: "/api/schedules/{id}/stop",
    role: "operator",
    tag: "schedules",
    summary: "Supervised: stop restarting and cancel the running task",
    response: z.object({ schedule: ScheduleJson }),
  },
  {
    method: "POST",
    path: "/api/schedules/{id}/trigger",
    role: "operator",
    tag: "schedules",
    summary: "Enqueue the schedule's task now",
    response: z.object({ task_id: z.string() }),
  },
  {
    method: "GET",
    path: "/api/schedules/export",
    role: "viewer",
    tag: "schedules",
    summary: "All schedules as YAML, in the format of config/tasks.yaml",
    produces: "application/yaml",
  },
  {
    method: "POST",
    path: "/api/schedules/import",
    role: "admin",
    tag: "schedules",
    summary:
      "Import schedules from YAML (body as application/yaml, or a multipart file). Invalid files are rejected whole with each problem's line; dry_run=true previews the diff; mode=replace also removes schedules the file does not name",
    query: ImportQuery,
    consumes: "application/yaml",
    response: ImportResult,
  },
  {
    method: "POST",
    path: "/api/schedules/{id}/backfill",
    role: "operator",
    tag: "schedules",
    summary: "Run the schedule's task over a date range: one task per trading day, as one batch",
    body: BackfillBody,
    response: z.object({ backfill: BackfillJson }),
  },
  {
    method: "GET",
    path: "/api/schedules/{id}/backfills",
    role: "viewer",
    tag: "schedules",
    summary: "The schedule's backfills, each with the status of every date",
    response: z.object({ items: z.array(BackfillJson) }),
  },
  { method: "GET", path: "/api/tasks/runs", role: "viewer", tag: "runs", summary: "Runs (执行历史), newest first", query: RunListQuery },
  { method: "GET", path: "/api/tasks/runs/{run_id}", role: "viewer", tag: "runs", summary: "A run with its task and the task's runs" },
  {
    method: "GET",
    path: "/api/tasks/runs/{run_id}/logs",
    role: "viewer",
    tag: "runs",
    summary: "Log lines after after_seq (follow a live run)",
    query: LogQuery,
    response: LogPage,
  },
  {
    method: "GET",
    path: "/api/tasks/runs/{run_id}/logs/download",
    role: "viewer",
    tag: "runs",
    summary: "The whole log as a text file",
    produces: "text/plain",
  },
  {
    method: "GET",
    path: "/api/funds",
    role: "viewer",
    tag: "funds",
    summary: "Funds (or kind=index|stock) with latest NAV and 1m/3m/1y returns; q = code prefix or part of the name",
    query: FundListQuery,
    response: FundPage,
  },
  {
    method: "GET",
    path: "/api/funds/{code}/nav",
    role: "viewer",
    tag: "funds",
    summary: "Daily unit NAV (close for indices and stocks) and accumulated NAV, optionally from/to (YYYY-MM-DD)",
    query: NavQuery,
    response: NavJson,
  },
];

const schema = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });

/** The OpenAPI 3.1 document. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ENDPOINTS) {
    const params: unknown[] = [...e.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (e.query) {
      const js = schema(e.query, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {}))
        params.push({ name, in: "query", required: js.required?.includes(name) ?? false, schema: s });
    }
    const responses: Record<string, unknown> = {
      "200": e.produces
        ? { description: "OK", content: { [e.produces]: { schema: { type: "string" } } } }
        : { description: "OK", content: { "application/json": { schema: e.response ? schema(e.response, "output") : {} } } },
      default: { description: "Error", content: { "application/json": { schema: schema(ErrorEnvelope, "output") } } },
    };
    (paths[e.path] ??= {})[e.method.toLowerCase()] = {
      summary: e.summary,
      tags: [e.tag],
      "x-role": e.role,
      security: e.role === "public" ? [] : [{ session: [] }, { bearer: [] }],
      parameters: params,
      ...(e.body ? { requestBody: { required: true, content: { "application/json": { schema: schema(e.body, "input") } } } } : {}),
      ...(e.consumes
        ? {
            requestBody: {
              required: true,
              content: {
                [e.consumes]: { schema: { type: "string" } },
                "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } } } },
              },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "qtask API", version: "1", description: "Task queue for quant research. JSON, snake_case, ids as strings, ISO-8601 UTC times." },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "qtask_session" },
        bearer: { type: "http", scheme: "bearer", description: "API token (qtk_…), created by an admin" },
      },
    },
    paths,
  };
}
