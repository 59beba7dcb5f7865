/** The user endpoints' verbs (admin): list, create, change role/password/disabled, delete — never leaving no admin. */
import type { User } from "@/generated/sqlite/client";
import type { Role } from "@/contracts/roles";
import type { createUser, deleteUser, listUsers, updateUser, UserJson } from "@/contracts/users";
import { getDatabase, type Db, type Tx } from "@/db/client";
import { hashPassword } from "./auth/secrets";
import { passwordProblem } from "./auth/passwordPolicy";
import { usernameKey } from "./auth/principal";
import { HttpError } from "./errors";
import { cursorPage } from "./paging";
import type { Input, Output } from "./route";

/** 400 naming the password field unless `password` may be chosen by `username` (passwordPolicy.ts). */
function assertGoodPassword(password: string, username: string): void {
  const why = passwordProblem(password, username);
  if (why) throw new HttpError("invalid_input", why, { issues: [{ path: "password", message: why }] });
}

/** Users, by id. */
export async function list({ query }: Input<typeof listUsers>): Promise<Output<typeof listUsers>> {
  const { db } = await getDatabase();
  const rows = await db.user.findMany({
    where: query.cursor ? { id: { gt: Number(query.cursor) } } : {},
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, userJson) };
}

/** Creates a user. */
export async function create({ body }: Input<typeof createUser>): Promise<Output<typeof createUser>> {
  const { db } = await getDatabase();
  // Names are unique whatever their case (migration 0013's username_key).
  const taken = await db.user.findUnique({ where: { usernameKey: usernameKey(body.username) } });
  if (taken) throw new HttpError("conflict", `user ${taken.username} already exists`);
  assertGoodPassword(body.password, body.username);
  const user = await db.user
    .create({ data: { username: body.username, passwordHash: await hashPassword(body.password), role: body.role } })
    .catch((err: unknown) => {
      // Two creations of one name at once: the unique index refuses the second.
      if ((err as { code?: string }).code === "P2002") throw new HttpError("conflict", `user ${body.username} already exists`);
      throw err;
    });
  return { status: 201, json: { user: userJson(user) }, audit: { target: user.username, details: { role: user.role } } };
}

/**
 * Changes a user's role, password or disabled flag, in one transaction: a new password or
 * disabling ends their sessions, and disabling revokes the API tokens that belong to them.
 */
export async function update({ params, body }: Input<typeof updateUser>): Promise<Output<typeof updateUser>> {
  const { db } = await getDatabase();
  const user = await userOr404(db, params.id);
  await keepAnAdmin(db, user, { role: body.role ?? user.role, disabled: body.disabled ?? user.disabled });
  if (body.password) assertGoodPassword(body.password, user.username);
  const passwordHash = body.password ? await hashPassword(body.password) : undefined;
  const updated = await db.$transaction(async (tx) => {
    const row = await tx.user.update({
      where: { id: user.id },
      data: {
        ...(body.role ? { role: body.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(passwordHash ? { passwordHash } : {}),
      },
    });
    if (body.password || body.disabled) await tx.session.deleteMany({ where: { userId: user.id } });
    const revoked = body.disabled ? await revokeTokensOf(tx, user.id) : 0;
    return { row, revoked };
  });
  const changed = {
    ...(body.role ? { role: body.role } : {}),
    ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
    ...(body.password ? { password: "reset" } : {}),
  };
  return {
    json: { user: userJson(updated.row) },
    audit: { target: user.username, details: { ...changed, ...(updated.revoked ? { tokens_revoked: updated.revoked } : {}) } },
  };
}

/** Deletes a user (not yourself, not the last admin) and revokes the API tokens that belong to them, in one transaction. */
export async function remove({ params, principal }: Input<typeof deleteUser>): Promise<Output<typeof deleteUser>> {
  const { db } = await getDatabase();
  const user = await userOr404(db, params.id);
  if (principal.userId === user.id) throw new HttpError("conflict", "you cannot delete your own account");
  await keepAnAdmin(db, user, null);
  const revoked = await db.$transaction(async (tx) => {
    const n = await revokeTokensOf(tx, user.id);
    await tx.user.delete({ where: { id: user.id } });
    return n;
  });
  return { json: { ok: true }, audit: { target: user.username, details: revoked ? { tokens_revoked: revoked } : undefined } };
}

/** Revokes every live API token that belongs to user `userId`; returns how many. */
async function revokeTokensOf(tx: Tx, userId: number): Promise<number> {
  const { count } = await tx.apiToken.updateMany({ where: { createdById: userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}

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

/**
 * Refuses a change that would leave no enabled admin (nobody could manage users any more).
 * `after` describes the user being changed as it would be afterwards (null: deleted).
 */
async function keepAnAdmin(db: Db, user: User, after: { role: string; disabled: boolean } | null): Promise<void> {
  const wasActiveAdmin = user.role === "admin" && !user.disabled;
  const staysActiveAdmin = after !== null && after.role === "admin" && !after.disabled;
  if (!wasActiveAdmin || staysActiveAdmin) return;
  const others = await db.user.count({ where: { role: "admin", disabled: false, id: { not: user.id } } });
  if (others === 0) throw new HttpError("conflict", "this is the last enabled admin; make another user admin first");
}

/** Finds a user or throws 404. */
async function userOr404(db: Db, id: number): Promise<User> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw new HttpError("not_found", `user ${id} not found`);
  return user;
}
