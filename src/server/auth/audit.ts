/** The audit log: who changed what, when and from where. */
import type { Db } from "@/db/client";
import { redactUrls } from "@/queue/redact";
import type { AuditJson } from "@/contracts/audit";
import { actorName, type Principal } from "./principal";

export interface AuditEntry {
  principal: Principal | null;
  /** Who acted when there is no principal (e.g. "system" for the start-up catalogue load). */
  actor?: string;
  action: string;
  target?: string | null;
  details?: unknown;
  ip?: string | null;
  userAgent?: string | null;
}

/** Records one action. */
export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  let details: string | null = null;
  if (e.details !== undefined) {
    // Schedules and tasks in details carry payload URLs, which may hold a feed's key.
    details = redactUrls(JSON.stringify(e.details));
    if (details.length > 8_000) details = JSON.stringify({ truncated: details.slice(0, 8_000) });
  }
  await db.auditLog.create({
    data: {
      actor: e.principal ? actorName(e.principal) : (e.actor ?? actorName(null)),
      role: e.principal?.role ?? null,
      action: e.action,
      target: e.target == null ? null : redactUrls(e.target),
      details,
      ip: e.ip ?? null,
      userAgent: e.userAgent?.slice(0, 300) ?? null,
    },
  });
}

/** An audit row as API JSON. */
export function auditJson(a: {
  id: number;
  at: Date;
  actor: string;
  role: string | null;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
  userAgent: string | null;
}): AuditJson {
  let details: unknown = null;
  try {
    details = a.details === null ? null : JSON.parse(a.details);
  } catch {
    details = a.details;
  }
  return {
    id: String(a.id),
    at: a.at.toISOString(),
    actor: a.actor,
    role: a.role,
    action: a.action,
    target: a.target,
    details,
    ip: a.ip,
    user_agent: a.userAgent,
  };
}
