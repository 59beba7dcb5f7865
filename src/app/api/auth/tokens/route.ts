import { CreateTokenBody } from "@/contracts/auth";
import { ListQuery } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { cursorPage } from "@/server/paging";
import { newToken, tokenHash } from "@/server/auth/secrets";
import { tokenJson } from "@/server/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** API tokens, newest first. */
export const GET = route({ role: "admin", query: ListQuery }, async ({ query }) => {
  const { db } = await getDatabase();
  const rows = await db.apiToken.findMany({
    where: query.cursor ? { id: { lt: Number(query.cursor) } } : {},
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, tokenJson) };
});

/** Creates a token; the answer carries the secret, which is never shown again. */
export const POST = route({ role: "admin", audit: "token.create", body: CreateTokenBody, bodyLimit: 4096 }, async ({ body, principal }) => {
  const { db } = await getDatabase();
  const secret = newToken("qtk");
  const row = await db.apiToken.create({
    data: {
      name: body.name,
      tokenHash: tokenHash(secret),
      prefix: secret.slice(0, 10),
      role: body.role,
      createdBy: principal.name,
      expiresAt: body.expires_in_days ? new Date(Date.now() + body.expires_in_days * 86_400_000) : null,
    },
  });
  return { status: 201, json: { token: tokenJson(row), secret }, audit: { target: `${row.id}:${row.name}`, details: { role: row.role } } };
});
