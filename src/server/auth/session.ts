/**
 * Authentication of a request: an API token (`Authorization: Bearer …`) or the session
 * cookie. Sessions slide: each use within the lifetime pushes the expiry out again (written
 * at most every few minutes).
 */
import type { Db } from "@/db/client";
import type { Role } from "@/contracts/roles";
import { clientAddressOf } from "./clientAddress";
import type { Principal } from "./principal";
import { newToken, tokenHash } from "./secrets";

export const SESSION_COOKIE = "qtask_session";
/** A session ends this long after its last use. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;
/** Session and token "last seen" writes are throttled to this interval. */
const TOUCH_MS = 5 * 60_000;

/** Opens a session for a user; returns the cookie token (shown to the browser only). */
export async function createSession(
  db: Db,
  userId: number,
  from: { ip: string; userAgent: string | null },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newToken("qts");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.session.create({ data: { id: tokenHash(token), userId, expiresAt, ip: from.ip, userAgent: from.userAgent?.slice(0, 300) ?? null } });
  return { token, expiresAt };
}

/** Ends the session of a cookie token. */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.session.deleteMany({ where: { id: sessionId } });
}

/** The principal of a session cookie token, or null (unknown, expired, user disabled). */
export async function principalFromSession(db: Db, token: string | undefined | null): Promise<Principal | null> {
  if (!token || token.length > 200) return null;
  const id = tokenHash(token);
  const session = await db.session.findUnique({ where: { id }, include: { user: true } });
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now || session.user.disabled) return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_MS) {
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_TTL_MS) } });
  }
  return { kind: "user", id: session.userId, name: session.user.username, role: session.user.role as Role, sessionId: id, userId: session.userId };
}

/** The principal of an API token, or null (unknown, revoked, expired, or its user disabled or gone). */
export async function principalFromApiToken(db: Db, token: string): Promise<Principal | null> {
  if (token.length > 200) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: tokenHash(token) } });
  const now = Date.now();
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;
  // Disabling or deleting the user revokes its tokens (users.ts); this holds even if that was missed.
  if (row.createdById !== null) {
    const owner = await db.user.findUnique({ where: { id: row.createdById }, select: { disabled: true } });
    if (!owner || owner.disabled) return null;
  }
  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > TOUCH_MS) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { kind: "token", id: row.id, name: row.name, role: row.role as Role, userId: row.createdById };
}

/** Reads one cookie from a Cookie header (a value that is not valid percent-encoding counts as absent). */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** Authenticates a request by bearer token or session cookie. `via` says which. */
export async function authenticate(db: Db, req: Request): Promise<{ principal: Principal; via: "token" | "cookie" } | null> {
  const auth = req.headers.get("authorization");
  if (auth) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const principal = m ? await principalFromApiToken(db, m[1]) : null;
    // A bad Authorization header never falls back to the cookie: scripts should fail loudly.
    return principal ? { principal, via: "token" } : null;
  }
  const principal = await principalFromSession(db, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  return principal ? { principal, via: "cookie" } : null;
}

/** True when the request came over HTTPS (directly or through a proxy that says so). */
export function isHttps(req: Request): boolean {
  return new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto")?.split(",")[0].trim() === "https";
}

/** The Set-Cookie value of a session cookie: HTTP-only, SameSite=Lax, Secure over HTTPS. */
export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT${secure ? "; Secure" : ""}`;
}

/** The client's address, as the web server worked it out (see clientAddress.ts); "unknown" otherwise. */
export function clientIp(req: Request): string {
  return clientAddressOf(req.headers);
}
