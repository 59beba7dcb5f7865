/**
 * The catalogue endpoints' verbs: the task types this server can run (each payload's JSON
 * Schema), and the schedule catalogue as YAML — exported, and imported (previewed first).
 */
import { z } from "zod";
import type { exportSchedules, importSchedules, taskTypes } from "@/contracts/catalogue";
import type { TaskCategory } from "@/contracts/tasks";
import { getDatabase } from "@/db/client";
import { readTextDocument } from "./body";
import { registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";
import { scriptOf, type ScriptSpec } from "@/tasks/scripts";
import { resultViewOf } from "@/tasks";

/** A script type's command (with its {param} placeholders, so no value shows) and params, as the task-type list shows them. */
function scriptJson(spec: ScriptSpec | null) {
  if (!spec) return null;
  const params = Object.fromEntries(
    Object.entries(spec.params).map(([name, p]) => [
      name,
      {
        type: p.type,
        description: p.description ?? null,
        required: p.required,
        // A secret param's default is not shown either.
        default: p.secret ? null : (p.default ?? null),
        values: p.values ?? null,
        min: p.min ?? null,
        max: p.max ?? null,
        secret: p.secret,
      },
    ]),
  );
  // Placeholders stay as written ({param}), so the command shows where each value goes.
  return { command: [...spec.command], params };
}
import { CatalogueError, MAX_CATALOGUE_BYTES, parseCatalogueDocument, serializeCatalogue, specOf } from "./schedule/catalogue";
import { alertsResult, applyAlerts, exportAlerts, planAlerts } from "./alertCatalogue";
import { applyQueues, exportQueues, planQueues, queuesResult } from "./queueCatalogue";
import { roleAtLeast } from "@/contracts/roles";
import { applyCatalogue, planCatalogue } from "./schedule/cataloguePlan";

/** What can be enqueued, with each payload's JSON Schema. */
export async function types(): Promise<Output<typeof taskTypes>> {
  const items = registry.list().map((d) => ({
    name: d.name,
    title: d.title,
    description: d.description ?? null,
    // The catalogue declares these (tests/unit/catalogue.test.ts checks each is a tab of the dashboard).
    category: d.category as TaskCategory,
    queue: d.queue,
    mode: d.mode,
    timeout_ms: d.timeoutMs,
    max_attempts: d.maxAttempts,
    priority: d.priority ?? 500,
    role: d.role ?? "operator",
    script: scriptJson(scriptOf(d)),
    payload_schema: z.toJSONSchema(d.schema as z.ZodType, { io: "input", unrepresentable: "any" }),
    result_view: resultViewOf(d.name) ?? null,
  }));
  return { json: { items } };
}

/**
 * Every schedule as a YAML document in the format of config/tasks.yaml (a download); for an
 * admin also the `alerts:` section, every secret written as "<secret>".
 */
export async function exportYaml({ principal }: Input<typeof exportSchedules>): Promise<Output<typeof exportSchedules>> {
  const { db } = await getDatabase();
  const rows = await db.schedule.findMany({ orderBy: { id: "asc" } });
  const now = new Date().toISOString();
  const alerts = roleAtLeast(principal.role, "admin") ? await exportAlerts(db) : undefined;
  const yaml = serializeCatalogue(rows.map(specOf), `qtask schedules, exported ${now}`, alerts, await exportQueues(db));
  return new Response(yaml, {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="qtask-schedules-${now.slice(0, 10)}.yaml"`,
      "cache-control": "no-store",
    },
  });
}

/**
 * Imports schedules from a YAML document (the body, or a multipart file). An invalid file is
 * rejected whole (400 with each problem's line) and changes nothing. `dry_run=true` answers
 * with the diff only; otherwise the diff is applied in one transaction, each change audited
 * with before and after. `mode=replace` also removes schedules the file does not name.
 */
export async function importYaml({ req, query, principal, ip }: Input<typeof importSchedules>): Promise<Output<typeof importSchedules>> {
  const text = await readTextDocument(req, MAX_CATALOGUE_BYTES);
  let specs;
  let alerts;
  let queues;
  try {
    ({ specs, alerts, queues } = parseCatalogueDocument(text, registry));
  } catch (err) {
    if (err instanceof CatalogueError) throw new HttpError("invalid_input", `invalid schedule file: ${err.message}`, { problems: err.problems });
    throw err;
  }
  const { db } = await getDatabase();
  const plan = await planCatalogue(db, registry, specs, { prune: query.mode === "replace" });
  // The alerts section is planned before anything is written: its mistakes (a "<secret>" with
  // nothing stored, a rule naming no channel) reject the whole import.
  const alertPlan = alerts ? await planAlerts(db, alerts, { prune: query.mode === "replace" }) : null;
  // Queue limits change only with the admin role, as the queue panel's form does.
  if (queues && !roleAtLeast(principal.role, "admin"))
    throw new HttpError("forbidden", "the queues: section sets cluster-wide limits and needs the admin role");
  const queuePlan = queues ? await planQueues(db, queues, { prune: query.mode === "replace" }) : null;
  if (!query.dry_run) {
    await applyCatalogue(db, plan, { principal, action: "schedule.update", ip, userAgent: req.headers.get("user-agent"), source: "import" });
    if (alertPlan) await applyAlerts(db, alertPlan, { principal, ip, userAgent: req.headers.get("user-agent"), source: "import" });
    if (queuePlan) await applyQueues(db, queuePlan, false);
  }
  const count = (a: string) => plan.changes.filter((c) => c.action === a).length;
  const summary = { added: count("add"), changed: count("change"), removed: count("remove"), unchanged: plan.unchanged.length };
  return {
    json: {
      applied: !query.dry_run,
      mode: query.mode,
      summary,
      changes: plan.changes,
      alerts: alertPlan ? alertsResult(alertPlan) : null,
      queues: queuePlan ? queuesResult(queuePlan) : null,
    },
    audit: {
      target: query.dry_run ? "preview" : "schedules",
      details: { dry_run: query.dry_run, mode: query.mode, ...summary, ...(queuePlan ? { queues: queuesResult(queuePlan).changes } : {}) },
    },
  };
}
