/**
 * Calling the real route handlers in-process, as the API tests do: point the app's shared
 * database at a test database, sign users in, and send requests with their session.
 */
import type { Db } from "@/db/client";
import type { Role } from "@/contracts/roles";
import { hashPassword } from "@/server/auth/secrets";
import { createSession } from "@/server/auth/session";
import type { RouteHandler } from "@/server/route";

const shared = globalThis as { __qtaskDb?: Promise<{ close(): Promise<void> }> };

/** Closes the database the route modules opened (if any), so that their next request opens DATABASE_URL. */
export async function releaseRouteDb(): Promise<void> {
  const open = shared.__qtaskDb;
  shared.__qtaskDb = undefined;
  await (await open?.catch(() => undefined))?.close();
}

/** Makes the route modules use the database at `url` from their next request on. */
export async function useRouteDb(url: string): Promise<void> {
  process.env.DATABASE_URL = url;
  await releaseRouteDb();
}

/** Creates a user with `role` and returns its id and a session token. */
export async function signedInUser(
  db: Db,
  username: string,
  role: Role,
  password = `${username}-password-1`,
): Promise<{ id: number; session: string }> {
  const u = await db.user.create({ data: { username, passwordHash: await hashPassword(password), role } });
  return { id: u.id, session: (await createSession(db, u.id, { ip: "127.0.0.1", userAgent: "test" })).token };
}

/** A request to a route handler, as a session (`qts_…`) or an API token (`qtk_…`), with a JSON body if given. */
export function callRoute(
  handler: RouteHandler,
  path: string,
  init: { auth: string; method?: string; body?: unknown; params?: Record<string, string> },
): Promise<Response> {
  const headers: Record<string, string> = init.auth.startsWith("qtk_")
    ? { authorization: `Bearer ${init.auth}` }
    : { cookie: `qtask_session=${init.auth}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://127.0.0.1:3000${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return handler(req, { params: Promise.resolve(init.params ?? {}) });
}
