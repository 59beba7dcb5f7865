/** The sign-in endpoints' verbs: sign in (rate-limited), sign out, and who is signed in. */
import type { login, logout, me, MeJson } from "@/contracts/auth";
import type { Role } from "@/contracts/roles";
import { getDatabase } from "@/db/client";
import { recordAudit } from "./auth/audit";
import { usernameKey } from "./auth/principal";
import { attemptSucceeded, forgetOldAttempts, reserveAttempt } from "./auth/rateLimit";
import { verifyPassword } from "./auth/secrets";
import { clearedSessionCookie, createSession, deleteSession, isHttps, sessionCookie } from "./auth/session";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";

/** Signs in with username and password and sets the session cookie. Failures are rate-limited per user and address. */
export async function signIn({ req, body, ip }: Input<typeof login>): Promise<Output<typeof login>> {
  const { db } = await getDatabase();
  const userAgent = req.headers.get("user-agent");
  // Reserved (counted) before the password is checked: see auth/rateLimit.ts.
  // One name whatever its case, for the limits as for the lookup.
  const { attempt, retryAfter: wait } = await reserveAttempt(db, usernameKey(body.username), ip);
  if (wait > 0) {
    await recordAudit(db, { principal: null, action: "auth.login_blocked", target: body.username, ip, userAgent });
    throw new HttpError(
      "too_many_requests",
      `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min`,
      { retry_after_seconds: wait },
      { "retry-after": String(wait) },
    );
  }
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(body.username) } });
  const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
  if (!user || !ok || user.disabled) {
    await forgetOldAttempts(db);
    await recordAudit(db, { principal: null, action: "auth.login_failed", target: body.username, ip, userAgent });
    // One message for every case, so it does not tell which usernames exist.
    throw new HttpError("unauthorized", "用户名或密码错误 (wrong username or password)");
  }
  await attemptSucceeded(db, attempt);
  const { token, expiresAt } = await createSession(db, user.id, { ip, userAgent });
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  const who: MeJson = { kind: "user", id: String(user.id), username: user.username, role: user.role as Role };
  await recordAudit(db, {
    principal: { kind: "user", id: user.id, name: user.username, role: who.role, userId: user.id },
    action: "auth.login",
    target: user.username,
    ip,
    userAgent,
  });
  return { json: { user: who }, headers: { "set-cookie": sessionCookie(token, expiresAt, isHttps(req)) } };
}

/** Ends the current session and clears its cookie (any signed-in role). */
export async function signOut({ req, principal }: Input<typeof logout>): Promise<Output<typeof logout>> {
  const { db } = await getDatabase();
  if (principal.sessionId) await deleteSession(db, principal.sessionId);
  return { json: { ok: true }, headers: { "set-cookie": clearedSessionCookie(isHttps(req)) }, audit: { target: principal.name } };
}

/** Who is signed in. */
export async function current({ principal }: Input<typeof me>): Promise<Output<typeof me>> {
  return { json: { user: { kind: principal.kind, id: String(principal.id), username: principal.name, role: principal.role } } };
}
