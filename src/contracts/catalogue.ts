/**
 * The catalogue: the task types the server can run (with the JSON Schema of each payload), and
 * the schedule catalogue's YAML — config/tasks.yaml's format — exported and imported.
 */
import { z } from "zod";
import { AlertsImportResult } from "./alerts";
import { QueuesImportResult } from "./queues";
import { endpoint } from "./endpoint";
import { ResultView } from "./resultView";
import { TaskCategory } from "./tasks";

/** A registered task type (`GET /api/task-types`). */
export const TaskTypeJson = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  category: TaskCategory,
  queue: z.string(),
  mode: z.enum(["fast", "compute"]),
  timeout_ms: z.number(),
  max_attempts: z.number(),
  priority: z.number(),
  /** The least role that may enqueue, schedule or retry it. */
  role: z.enum(["operator", "admin"]),
  /** For a script type (declared in the server's catalogue file): its command with {param} placeholders, and its params; null otherwise. */
  script: z
    .object({
      command: z.array(z.string()),
      params: z.record(
        z.string(),
        z.object({
          type: z.enum(["string", "integer", "number", "boolean", "date", "enum"]),
          description: z.string().nullable(),
          required: z.boolean(),
          default: z.union([z.string(), z.number(), z.boolean()]).nullable(),
          values: z.array(z.string()).nullable(),
          min: z.number().nullable(),
          max: z.number().nullable(),
          secret: z.boolean(),
        }),
      ),
    })
    .nullable(),
  payload_schema: z.unknown(),
  /** How its result rows and result read (typed columns), or null: shown generically. */
  result_view: ResultView.nullable(),
});
export type TaskTypeJson = z.infer<typeof TaskTypeJson>;

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
  /** The `alerts:` section's diff (null: the file has none). */
  alerts: AlertsImportResult.nullable(),
  /** The `queues:` section's diff (null: the file has none). */
  queues: QueuesImportResult.nullable(),
});
export type ImportResult = z.infer<typeof ImportResult>;

/** A line-located problem of an invalid catalogue (the `details.problems` of its 400). */
export const CatalogueProblemJson = z.object({ line: z.number().nullable(), column: z.number().nullable(), path: z.string(), message: z.string() });

export const taskTypes = endpoint({
  method: "GET",
  path: "/api/task-types",
  role: "viewer",
  tag: "tasks",
  summary: "Registered task types with queue, mode, defaults and the JSON Schema of their payload",
  response: z.object({ items: z.array(TaskTypeJson) }),
});

export const exportSchedules = endpoint({
  method: "GET",
  path: "/api/schedules/export",
  role: "viewer",
  tag: "schedules",
  summary: "Every schedule as a YAML document in the format of config/tasks.yaml (a download)",
  produces: "application/yaml",
});

export const importSchedules = endpoint({
  method: "POST",
  path: "/api/schedules/import",
  role: "admin",
  audit: "schedule.import",
  tag: "schedules",
  summary:
    "Import schedules from YAML (body as application/yaml, or a multipart file). Invalid files are rejected whole with each problem's line; dry_run=true previews the diff; mode=replace also removes schedules the file does not name",
  query: ImportQuery,
  consumes: "application/yaml",
  response: ImportResult,
});
