import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { clearedSessionCookie, deleteSession, isHttps } from "@/server/auth/session";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Ends the current session and clears its cookie (any signed-in role). */
export const POST = route({ role: "viewer", audit: "auth.logout" }, async ({ req, principal }) => {
  const { db } = await getDatabase();
  if (principal.sessionId) await deleteSession(db, principal.sessionId);
  return { json: { ok: true }, headers: { "set-cookie": clearedSessionCookie(isHttps(req)) }, audit: { target: principal.name } };
});
