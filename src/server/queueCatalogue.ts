/**
 * The catalogue's `queues:` section (config/tasks.yaml, export and import): each queue's
 * cluster-wide limits. Planned as a diff against the stored controls, as schedules are; a
 * start applies only entries whose text changed since they were last applied (their hash),
 * so a limit changed from the queue panel survives restarts until the file's entry changes.
 * Workers read the controls at least once a second, so a change needs no wake-up.
 */
import type { QueueLimitsBody, QueuesSection } from "@/contracts/queues";
import type { Db } from "@/db/client";
import { canonical, specHash } from "./schedule/catalogue";
import { limitsJson, limitsOf } from "./queues";

/** One change of a queue's limits. */
export interface QueueChange {
  name: string;
  action: "add" | "change" | "remove";
  fields: string[];
  limits: QueueLimitsBody;
}

/** What applying a section would change. */
export interface QueuesPlan {
  changes: QueueChange[];
  unchanged: string[];
  /** The hash of each entry of the section (stored when applied from the file). */
  hashes: Map<string, string>;
}

const NONE: QueueLimitsBody = { max_running: null, rate: null, per_key: null };

/** Diffs `section` against the stored limits; with `prune`, queues it does not name lose theirs. `onlyChangedText`: skip entries whose hash is stored (the file at start). */
export async function planQueues(db: Db, section: QueuesSection, opts: { prune: boolean; onlyChangedText?: boolean }): Promise<QueuesPlan> {
  const rows = new Map((await db.queueControl.findMany()).map((r) => [r.name, r]));
  const hashes = new Map(Object.entries(section).map(([name, l]) => [name, specHash(l)]));
  const changes: QueueChange[] = [];
  const unchanged: string[] = [];
  for (const [name, limits] of Object.entries(section)) {
    const row = rows.get(name);
    if (opts.onlyChangedText && row?.catalogueHash === hashes.get(name)) {
      unchanged.push(name);
      continue;
    }
    const before = limitsJson(row);
    const fields = (Object.keys(NONE) as (keyof QueueLimitsBody)[]).filter((k) => canonical(before[k]) !== canonical(limits[k]));
    const hadAny = Object.values(before).some((v) => v !== null);
    if (fields.length === 0 && !(opts.onlyChangedText && row?.catalogueHash !== hashes.get(name))) unchanged.push(name);
    else changes.push({ name, action: hadAny ? "change" : "add", fields, limits });
  }
  if (opts.prune)
    for (const [name, row] of rows) {
      if (name in section) continue;
      const had = limitsJson(row);
      const fields = (Object.keys(had) as (keyof QueueLimitsBody)[]).filter((k) => had[k] !== null);
      if (fields.length > 0) changes.push({ name, action: "remove", fields, limits: NONE });
    }
  return { changes, unchanged, hashes };
}

/** Writes a plan; `fromFile` stores each entry's hash (the queue then shows as from the catalogue). */
export async function applyQueues(db: Db, plan: QueuesPlan, fromFile: boolean): Promise<void> {
  for (const c of plan.changes) {
    const l = limitsOf(c.limits);
    const catalogueHash = fromFile && c.action !== "remove" ? (plan.hashes.get(c.name) ?? null) : null;
    await db.queueControl.upsert({
      where: { name: c.name },
      create: { name: c.name, ...l, catalogueHash },
      update: { ...l, catalogueHash, updatedAt: new Date() },
    });
  }
}

/** The import answer's view of a plan. */
export function queuesResult(plan: QueuesPlan) {
  return { changes: plan.changes.map(({ name, action, fields }) => ({ name, action, fields })), unchanged: plan.unchanged.length };
}

/** Every queue with a limit, as a `queues:` section (undefined when none has one). */
export async function exportQueues(db: Db): Promise<QueuesSection | undefined> {
  const out: QueuesSection = {};
  for (const row of await db.queueControl.findMany({ orderBy: { name: "asc" } })) {
    const l = limitsJson(row);
    if (Object.values(l).some((v) => v !== null))
      out[row.name] = Object.fromEntries(Object.entries(l).filter(([, v]) => v !== null)) as QueueLimitsBody;
  }
  return Object.keys(out).length ? out : undefined;
}
