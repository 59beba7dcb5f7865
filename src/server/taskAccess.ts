/**
 * Who may make which task: a task type's least role (TaskDefinition.role, raised by a group's
 * children) against the caller's. Every path that makes a task checks here — enqueue, batch,
 * retry (one, bulk, a batch's failed), schedules (create, change, trigger, backfill, and any
 * control of a schedule whose task needs more than the caller has) — so that an operator
 * cannot reach `retention_cleanup` by a side door. The catalogue import is admin-only anyway.
 */
import { roleAtLeast } from "@/contracts/roles";
import type { Db } from "@/db/client";
import { leastRoleFor } from "@/queue/registry";
import type { Principal } from "./auth/principal";
import { registry } from "./context";
import { HttpError } from "./errors";

/** The reason `principal` may not make a task of `type` with `payload`, or null when it may. */
export function enqueueRefusal(principal: Principal, type: string, payload: unknown): string | null {
  const need = leastRoleFor(registry, type, payload);
  if (roleAtLeast(principal.role, need)) return null;
  const own = registry.get(type)?.role === need;
  return own ? `${type} tasks need the ${need} role` : `this ${type} holds a task that needs the ${need} role`;
}

/** 403 unless `principal` may make a task of `type` with `payload`. */
export function assertMayEnqueue(principal: Principal, type: string, payload: unknown): void {
  const why = enqueueRefusal(principal, type, payload);
  if (why) throw new HttpError("forbidden", why, { type });
}

/** The stored task's type and payload, for the checks above (null when there is no such task). */
export async function storedTask(db: Db, id: number): Promise<{ type: string; payload: unknown } | null> {
  const t = await db.task.findUnique({ where: { id }, select: { type: true, payload: true } });
  return t && { type: t.type, payload: parseJson(t.payload) };
}

/** 403 unless `principal` may retry every failed or cancelled task of the batch. */
export async function assertMayRetryBatch(principal: Principal, db: Db, batchId: string): Promise<void> {
  const rows = await db.task.findMany({
    where: { batchId, status: { in: ["failed", "cancelled"] } },
    select: { type: true, payload: true },
    distinct: ["type"],
  });
  // One row per type is enough unless the type holds others (a group), whose payloads differ.
  const groups = rows.some((r) => registry.get(r.type)?.inner)
    ? await db.task.findMany({ where: { batchId, status: { in: ["failed", "cancelled"] } }, select: { type: true, payload: true } })
    : rows;
  for (const r of groups) assertMayEnqueue(principal, r.type, parseJson(r.payload));
}

function parseJson(text: string | null): unknown {
  try {
    return text === null ? {} : JSON.parse(text);
  } catch {
    return {};
  }
}
