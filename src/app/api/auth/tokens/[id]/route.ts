import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { tokenJson } from "@/server/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Revokes a token: it stops working at once. */
export const DELETE = route({ role: "admin", audit: "token.revoke", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const row = await db.apiToken.findUnique({ where: { id: params.id } });
  if (!row) throw new HttpError("not_found", `token ${params.id} not found`);
  const revoked = row.revokedAt ? row : await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  return { json: { token: tokenJson(revoked) }, audit: { target: `${row.id}:${row.name}` } };
});
