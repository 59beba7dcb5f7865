import { LoginBody, type MeJson, type Role } from "@/contracts/auth";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { recordAudit } from "@/server/auth/audit";
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from "@/server/auth/rateLimit";
import { verifyPassword } from "@/server/auth/secrets";
import { createSession, isHttps, sessionCookie } from "@/server/auth/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Signs in with username and password; sets the session cookie. Failures are rate-limited per user and address. */
export const POST = route({ role: "public", body: LoginBody, bodyLimit: 4096 }, async ({ req, body, ip }) => {
  const { db } = await getDatabase();
  const userAgent = req.headers.get("user-agent");
  const wait = await loginRetryAfter(db, body.username, ip);
  if (wait > 0) {
    await recordAudit(db, { principal: null, action: "auth.login_blocked", target: body.username, ip, userAgent });
    return Response.json(
      {
        error: {
          code: "too_many_requests",
          message: `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min`,
          details: { retry_after_seconds: wait },
        },
      },
      { status: 429, headers: { "retry-after": String(wait) } },
    );
  }
  const user = await db.user.findUnique({ where: { username: body.username } });
  const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
  if (!user || !ok || user.disabled) {
    await recordLoginFailure(db, body.username, ip);
    await recordAudit(db, { principal: null, action: "auth.login_failed", target: body.username, ip, userAgent });
    // One message for every case, so it does not tell which usernames exist.
    throw new HttpError("unauthorized", "用户名或密码错误 (wrong username or password)");
  }
  await clearLoginFailures(db, user.username);
  const { token, expiresAt } = await createSession(db, user.id, { ip, userAgent });
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  const me: MeJson = { kind: "user", id: String(user.id), username: user.username, role: user.role as Role };
  await recordAudit(db, {
    principal: { kind: "user", id: user.id, name: user.username, role: me.role },
    action: "auth.login",
    target: user.username,
    ip,
    userAgent,
  });
  return { json: { user: me }, headers: { "set-cookie": sessionCookie(token, expiresAt, isHttps(req)) } };
});
