import { AuditQuery } from "@/contracts/auth";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { cursorPage } from "@/server/paging";
import { auditJson } from "@/server/auth/audit";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The audit log, newest first; filters `actor` and `action` (exact). */
export const GET = route({ role: "admin", query: AuditQuery }, async ({ query }) => {
  const { db } = await getDatabase();
  const rows = await db.auditLog.findMany({
    where: {
      ...(query.cursor ? { id: { lt: Number(query.cursor) } } : {}),
      ...(query.actor ? { actor: query.actor } : {}),
      ...(query.action ? { action: query.action } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, auditJson) };
});
