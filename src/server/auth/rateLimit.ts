/**
 * Sign-in rate limit: after too many failures in a window for one username, or from one
 * address, further attempts are refused (429) until the window has passed. Failures are
 * stored in the database so that restarts do not reset the count.
 */
import type { Db } from "@/db/client";

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_USER = 5;
export const MAX_FAILURES_PER_IP = 20;

/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
export async function loginRetryAfter(db: Db, username: string, ip: string): Promise<number> {
  const since = new Date(Date.now() - LOGIN_WINDOW_MS);
  const [byUser, byIp] = await Promise.all([
    db.loginFailure.findMany({ where: { username, at: { gte: since } }, orderBy: { at: "asc" }, select: { at: true } }),
    db.loginFailure.findMany({ where: { ip, at: { gte: since } }, orderBy: { at: "asc" }, select: { at: true } }),
  ]);
  let until = 0;
  // Locked until the oldest failure that still counts leaves the window.
  if (byUser.length >= MAX_FAILURES_PER_USER) until = Math.max(until, byUser[byUser.length - MAX_FAILURES_PER_USER].at.getTime() + LOGIN_WINDOW_MS);
  if (byIp.length >= MAX_FAILURES_PER_IP) until = Math.max(until, byIp[byIp.length - MAX_FAILURES_PER_IP].at.getTime() + LOGIN_WINDOW_MS);
  return until > Date.now() ? Math.ceil((until - Date.now()) / 1000) : 0;
}

/** Records a failed attempt and forgets failures older than the window. */
export async function recordLoginFailure(db: Db, username: string, ip: string): Promise<void> {
  await db.loginFailure.create({ data: { username: username.slice(0, 64), ip } });
  await db.loginFailure.deleteMany({ where: { at: { lt: new Date(Date.now() - LOGIN_WINDOW_MS) } } });
}

/** A successful sign-in clears the user's failures. */
export async function clearLoginFailures(db: Db, username: string): Promise<void> {
  await db.loginFailure.deleteMany({ where: { username } });
}
