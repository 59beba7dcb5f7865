/**
 * Applying a schedule catalogue (catalogue.ts) to the database: planning compares parsed
 * entries with the stored schedules (added / changed / removed), applying writes the plan in
 * one transaction and records before/after in the audit log, and loading config/tasks.yaml at
 * start re-applies only the entries whose text changed since they were last applied.
 */
import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/db/client";
import { unavailableReason, type Registry } from "@/queue/registry";
import { timingOf } from "@/schedule/timing";
import { recordAudit } from "../auth/audit";
import type { Principal } from "../auth/principal";
import type { AlertsSection } from "@/contracts/alerts";
import type { QueuesSection } from "@/contracts/queues";
import { applyQueues, planQueues } from "../queueCatalogue";
import { applyAlerts, planAlerts } from "../alertCatalogue";
import { HttpError } from "../errors";
import { canonical, CatalogueError, parseCatalogueDocument, specHash, specOf, type CatalogueProblem, type ScheduleSpec } from "./catalogue";
import { columnsOf, firstSlot } from "./rules";

/** Where the shipped catalogue lives (QTASK_TASKS_FILE overrides it); the task catalogue reads its scripts from the same file. */
export { catalogueFile } from "@/tasks/scripts";

/** A schedule as it will be stored: shipped disabled while its feed has no URL. */
function effective(spec: ScheduleSpec, registry: Registry): ScheduleSpec {
  return spec.enabled && unavailableReason(registry, spec.task_type, spec.payload) ? { ...spec, enabled: false } : spec;
}

/** One difference between a catalogue and the database. */
export interface CatalogueChange {
  name: string;
  action: "add" | "change" | "remove";
  before: ScheduleSpec | null;
  after: ScheduleSpec | null;
  /** The fields that differ (change only). */
  fields: string[];
}

/** What applying a catalogue would do. */
export interface CataloguePlan {
  changes: CatalogueChange[];
  unchanged: string[];
  /** When each changed schedule was created (an interval's slots count from it). */
  createdAt: Map<string, Date>;
}

/**
 * Compares parsed entries with the stored schedules: entries not stored are added, stored ones
 * that differ are changed; with `prune`, stored schedules the file does not name are removed.
 */
export async function planCatalogue(db: Db, registry: Registry, specs: ScheduleSpec[], opts: { prune: boolean }): Promise<CataloguePlan> {
  const rows = await db.schedule.findMany({ orderBy: { id: "asc" } });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const changes: CatalogueChange[] = [];
  const unchanged: string[] = [];
  const createdAt = new Map<string, Date>();
  for (const raw of specs) {
    const spec = effective(raw, registry);
    const row = byName.get(spec.name);
    if (!row) {
      changes.push({ name: spec.name, action: "add", before: null, after: spec, fields: [] });
      continue;
    }
    const before = specOf(row);
    const keys = new Set([...Object.keys(before), ...Object.keys(spec)]) as Set<keyof ScheduleSpec>;
    const fields = [...keys].filter((k) => canonical(before[k] ?? null) !== canonical(spec[k] ?? null));
    if (fields.length) {
      changes.push({ name: spec.name, action: "change", before, after: spec, fields });
      createdAt.set(spec.name, row.createdAt);
    } else unchanged.push(spec.name);
  }
  if (opts.prune) {
    const named = new Set(specs.map((s) => s.name));
    for (const r of rows) if (!named.has(r.name)) changes.push({ name: r.name, action: "remove", before: specOf(r), after: null, fields: [] });
  }
  return { changes, unchanged, createdAt };
}

const TIMING_FIELDS = new Set(["kind", "cron", "timezone", "interval_seconds", "run_at", "trading_days_only", "after_close_minutes", "enabled"]);

/**
 * Writes a plan in one transaction (all or nothing) and records each change with before and
 * after in the audit log. `hashes` marks entries as coming from config/tasks.yaml.
 */
export async function applyCatalogue(
  db: Db,
  plan: CataloguePlan,
  audit: { principal: Principal | null; actor?: string; action: string; ip?: string | null; userAgent?: string | null; source: string },
  hashes?: Map<string, string>,
): Promise<void> {
  if (plan.changes.length === 0) return;
  const now = new Date();
  // Only writes inside: a SQLite transaction that reads first cannot take the write lock while a
  // worker writes (it timed out in the browser suite), so what the writes need was read by the plan.
  await db.$transaction(
    async (tx) => {
      for (const c of plan.changes) {
        if (c.action === "remove") {
          await tx.schedule.delete({ where: { name: c.name } });
          continue;
        }
        const spec = c.after as ScheduleSpec;
        const cols = { ...columnsOf(spec), ...(hashes?.has(c.name) ? { catalogueHash: hashes.get(c.name) } : {}) };
        if (c.action === "add") {
          const timing = timingOf({ ...cols, createdAt: now });
          await tx.schedule.create({ data: { ...cols, createdAt: now, nextRunAt: firstSlot(timing, now) } });
        } else {
          // A new timing (or re-enabling) re-arms the schedule from now, as a PATCH does.
          const rearm = c.fields.some((f) => TIMING_FIELDS.has(f));
          const timing = timingOf({ ...cols, createdAt: plan.createdAt.get(c.name) ?? now });
          const nextRunAt = firstSlot(timing, now);
          await tx.schedule.update({ where: { name: c.name }, data: { ...cols, ...(rearm ? { nextRunAt } : {}) } });
        }
      }
    },
    // It may wait its turn for the write lock behind a worker's writes.
    { maxWait: 30_000, timeout: 60_000 },
  );
  for (const c of plan.changes) {
    await recordAudit(db, {
      principal: audit.principal,
      actor: audit.actor,
      action: audit.action,
      target: c.name,
      details: { source: audit.source, change: c.action, fields: c.fields, before: c.before, after: c.after },
      ip: audit.ip,
      userAgent: audit.userAgent,
    });
  }
}

/**
 * Loads config/tasks.yaml at start: entries not in the database are added, entries whose file
 * text changed since they were last applied update their schedule, and schedules created in
 * the UI (or entries the file no longer names) are left alone. An invalid file changes nothing.
 */
export async function loadCatalogueFile(
  db: Db,
  registry: Registry,
  file: string,
): Promise<{ added: string[]; updated: string[]; unchanged: number; problems?: CatalogueProblem[] }> {
  if (!fs.existsSync(file)) return { added: [], updated: [], unchanged: 0 };
  let specs: ScheduleSpec[];
  let alerts: AlertsSection | null;
  let queues: QueuesSection | null;
  try {
    ({ specs, alerts, queues } = parseCatalogueDocument(fs.readFileSync(file, "utf8"), registry, "file"));
  } catch (err) {
    if (err instanceof CatalogueError) return { added: [], updated: [], unchanged: 0, problems: err.problems };
    throw err;
  }
  const stored = new Map((await db.schedule.findMany({ select: { name: true, catalogueHash: true } })).map((r) => [r.name, r.catalogueHash]));
  const hashes = new Map(specs.map((s) => [s.name, specHash(s)]));
  const pending = specs.filter((s) => stored.get(s.name) !== hashes.get(s.name));
  const plan = await planCatalogue(db, registry, pending, { prune: false });
  // Entries whose file text changed but whose schedule already matches only get their hash stored.
  const sameButUnhashed = plan.unchanged.filter((n) => stored.get(n) !== hashes.get(n));
  for (const name of sameButUnhashed) await db.schedule.update({ where: { name }, data: { catalogueHash: hashes.get(name) } });
  await applyCatalogue(
    db,
    plan,
    { principal: null, actor: "system", action: "schedule.catalogue", source: path.relative(process.cwd(), file) || file },
    hashes,
  );
  // The file's queue limits: entries whose text changed since they were last applied.
  if (queues) await applyQueues(db, await planQueues(db, queues, { prune: false, onlyChangedText: true }), true);
  // The file's alert channels and rules: added or updated, never removed (as for schedules).
  if (alerts) {
    try {
      await applyAlerts(db, await planAlerts(db, alerts, { prune: false }), { principal: null, actor: "system", source: path.relative(process.cwd(), file) || file });
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      return { added: [], updated: [], unchanged: 0, problems: [{ line: null, column: null, path: "alerts", message: err.message }] };
    }
  }
  return {
    added: plan.changes.filter((c) => c.action === "add").map((c) => c.name),
    updated: plan.changes.filter((c) => c.action === "change").map((c) => c.name),
    unchanged: specs.length - plan.changes.length,
  };
}
