/** The API token endpoints' verbs (admin): list, create (the secret is shown once), revoke. */
import type { ApiToken } from "@/generated/sqlite/client";
import type { createToken, listTokens, revokeToken, TokenJson } from "@/contracts/auth";
import type { Role } from "@/contracts/roles";
import { getDatabase } from "@/db/client";
import { newToken, tokenHash } from "./auth/secrets";
import { HttpError } from "./errors";
import { cursorPage } from "./paging";
import type { Input, Output } from "./route";

/** API tokens, newest first. */
export async function list({ query }: Input<typeof listTokens>): Promise<Output<typeof listTokens>> {
  const { db } = await getDatabase();
  const rows = await db.apiToken.findMany({
    where: query.cursor ? { id: { lt: Number(query.cursor) } } : {},
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, tokenJson) };
}

/**
 * Creates a token for the user acting; the answer carries the secret, which is never shown
 * again (only its SHA-256 is stored). It expires after 90 days unless the body says otherwise
 * (`expires_in_days: null`: never).
 */
export async function create({ body, principal }: Input<typeof createToken>): Promise<Output<typeof createToken>> {
  const { db } = await getDatabase();
  const secret = newToken("qtk");
  const row = await db.apiToken.create({
    data: {
      name: body.name,
      tokenHash: tokenHash(secret),
      prefix: secret.slice(0, 10),
      role: body.role,
      createdBy: principal.name,
      // It belongs to the user acting (through a token: that token's user).
      createdById: principal.userId,
      expiresAt: body.expires_in_days === null ? null : new Date(Date.now() + body.expires_in_days * 86_400_000),
    },
  });
  return {
    status: 201,
    json: { token: tokenJson(row), secret },
    audit: { target: `${row.id}:${row.name}`, details: { role: row.role, expires_at: row.expiresAt?.toISOString() ?? "never" } },
  };
}

/** Revokes a token: it stops working at once. */
export async function revoke({ params }: Input<typeof revokeToken>): Promise<Output<typeof revokeToken>> {
  const { db } = await getDatabase();
  const row = await db.apiToken.findUnique({ where: { id: params.id } });
  if (!row) throw new HttpError("not_found", `token ${params.id} not found`);
  const revoked = row.revokedAt ? row : await db.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  return { json: { token: tokenJson(revoked) }, audit: { target: `${row.id}:${row.name}` } };
}

/** A token as API JSON (never the token or its hash). */
function tokenJson(t: ApiToken): TokenJson {
  return {
    id: String(t.id),
    name: t.name,
    prefix: t.prefix,
    role: t.role as Role,
    created_by: t.createdBy,
    created_at: t.createdAt.toISOString(),
    expires_at: t.expiresAt ? t.expiresAt.toISOString() : null,
    last_used_at: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
    revoked_at: t.revokedAt ? t.revokedAt.toISOString() : null,
  };
}
