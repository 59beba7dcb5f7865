/**
 * Script types: programs the server's catalogue file declares (`scripts:` in
 * config/tasks.yaml), run as tasks with everything the built-in types have — schedules,
 * groups, priorities, retries, timeouts, cancel, progress, logs, results. See spec.ts for the
 * declaration, runner.ts for a run.
 */
import { defineTask, type FastTask } from "@/queue/registry";
import { readScripts } from "./catalogue";
import { runScript } from "./runner";
import { argvOf, payloadSchemaOf, type ScriptSpec } from "./spec";

export { catalogueFile, parseScripts, ScriptCatalogueError } from "./catalogue";
export type { ScriptSpec } from "./spec";

/** The task type of one script declaration. */
export function scriptType(spec: ScriptSpec): FastTask<Record<string, unknown>> & { script: ScriptSpec } {
  const date = Object.entries(spec.params).find(([, p]) => p.type === "date")?.[0];
  const def = defineTask<Record<string, unknown>>({
    name: spec.name,
    title: spec.title,
    description: spec.description ?? `Runs ${argvOf(spec, {}, true).join(" ")}`,
    category: spec.category,
    queue: spec.queue,
    mode: "fast",
    timeoutMs: spec.timeout_ms,
    maxAttempts: spec.max_attempts,
    priority: spec.priority,
    role: spec.role,
    schema: payloadSchemaOf(spec.params),
    ...(date ? { asOfField: date } : {}),
    ...(spec.needs_env.length
      ? {
          unavailable: () => {
            const missing = spec.needs_env.filter((name) => !process.env[name]);
            return missing.length ? `not configured: set ${missing.join(", ")}` : null;
          },
        }
      : {}),
    run: (ctx) => runScript(ctx, spec),
  });
  return Object.assign(def, { script: spec });
}

/** The script types of the catalogue file; throws ScriptCatalogueError (with the line) when its `scripts:` section is invalid. */
export function scriptTypes(builtIn: ReadonlySet<string>): ReturnType<typeof scriptType>[] {
  return readScripts(builtIn).map(scriptType);
}

/** The declaration behind a task type, when it is a script. */
export function scriptOf(def: unknown): ScriptSpec | null {
  return def && typeof def === "object" && "script" in def ? (def as { script: ScriptSpec }).script : null;
}
