/** Users and API tokens as the admin API sees them. */
import type { ApiToken, User } from "@/generated/sqlite/client";
import type { Role, TokenJson, UserJson } from "@/contracts/auth";
import type { Db } from "@/db/client";
import { HttpError } from "./errors";

/** A user as API JSON (never the hash). */
export function userJson(u: User): UserJson {
  return {
    id: String(u.id),
    username: u.username,
    role: u.role as Role,
    disabled: u.disabled,
    created_at: u.createdAt.toISOString(),
    last_login_at: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
  };
}

/** A token as API JSON (never the token or its hash). */
export function tokenJson(t: ApiToken): TokenJson {
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

/**
 * Refuses a change that would leave no enabled admin (nobody could manage users any more).
 * `after` describes the user being changed as it would be afterwards (null: deleted).
 */
export async function keepAnAdmin(db: Db, user: User, after: { role: string; disabled: boolean } | null): Promise<void> {
  const wasActiveAdmin = user.role === "admin" && !user.disabled;
  const staysActiveAdmin = after !== null && after.role === "admin" && !after.disabled;
  if (!wasActiveAdmin || staysActiveAdmin) return;
  const others = await db.user.count({ where: { role: "admin", disabled: false, id: { not: user.id } } });
  if (others === 0) throw new HttpError("conflict", "this is the last enabled admin; make another user admin first");
}

/** Finds a user or throws 404. */
export async function userOr404(db: Db, id: number): Promise<User> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new HttpError("not_found", `user ${id} not found`);
  return user;
}
