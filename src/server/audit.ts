/** The audit log endpoint's verb (admin). Entries are written by the route wrapper: auth/audit.ts. */
import type { listAudit } from "@/contracts/audit";
import { getDatabase } from "@/db/client";
import { auditJson } from "./auth/audit";
import { cursorPage } from "./paging";
import type { Input, Output } from "./route";

/** The audit log, newest first; filters `actor` and `action` (exact). */
export async function list({ query }: Input<typeof listAudit>): Promise<Output<typeof listAudit>> {
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
}
