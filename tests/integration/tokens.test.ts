/**
 * API tokens belong to their user (both databases, through the real route handlers): disabling
 * or deleting the user revokes them, even one made with another of the user's tokens, and a new
 * token expires after 90 days unless "never" is asked for explicitly.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashPassword } from "@/server/auth/secrets";
import { createSession } from "@/server/auth/session";
import type { RouteHandler } from "@/server/route";
import { freshDb, providers, type TestDb } from "./support/db";

let handlers: { createToken: RouteHandler; me: RouteHandler; updateUser: RouteHandler; deleteUser: RouteHandler };

function call(h: RouteHandler, path: string, init: { auth: string; method?: string; body?: unknown; params?: Record<string, string> }) {
  const headers: Record<string, string> = init.auth.startsWith("qtk_")
    ? { authorization: `Bearer ${init.auth}` }
    : { cookie: `qtask_session=${init.auth}` };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const req = new Request(`http://127.0.0.1:3000${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return h(req, { params: Promise.resolve(init.params ?? {}) });
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`API tokens on ${kind}`, () => {
    let t: TestDb;
    let root: string;
    let alice: { id: number; session: string };

    beforeEach(async () => {
      t = await freshDb(kind);
      process.env.DATABASE_URL = t.url;
      const g = globalThis as { __qtaskDb?: Promise<{ close(): Promise<void> }> };
      await (await g.__qtaskDb?.catch(() => undefined))?.close();
      g.__qtaskDb = undefined;
      handlers = {
        createToken: (await import("@/app/api/auth/tokens/route")).POST as RouteHandler,
        me: (await import("@/app/api/auth/me/route")).GET as RouteHandler,
        updateUser: (await import("@/app/api/users/[id]/route")).PATCH as RouteHandler,
        deleteUser: (await import("@/app/api/users/[id]/route")).DELETE as RouteHandler,
      };
      const db = t.database.db;
      const r = await db.user.create({ data: { username: "root", passwordHash: await hashPassword("root-password-1"), role: "admin" } });
      const a = await db.user.create({ data: { username: "alice", passwordHash: await hashPassword("alice-password-1"), role: "admin" } });
      root = (await createSession(db, r.id, { ip: "127.0.0.1", userAgent: "test" })).token;
      alice = { id: a.id, session: (await createSession(db, a.id, { ip: "127.0.0.1", userAgent: "test" })).token };
    });
    afterEach(async () => {
      await t.drop();
    });

    const newToken = async (auth: string, body: Record<string, unknown> = {}) => {
      const res = await call(handlers.createToken, "/api/auth/tokens", { auth, method: "POST", body: { name: "script", ...body } });
      expect(res.status).toBe(201);
      return (await res.json()) as { token: { expires_at: string | null }; secret: string };
    };
    const works = async (secret: string) => (await call(handlers.me, "/api/auth/me", { auth: secret })).status === 200;

    it("expires a new token after 90 days unless never is asked for", async () => {
      const before = Date.now();
      const { token } = await newToken(root);
      const days = (new Date(token.expires_at!).getTime() - before) / 86_400_000;
      expect(days).toBeGreaterThan(89.99);
      expect(days).toBeLessThan(90.01);
      expect((await newToken(root, { expires_in_days: null })).token.expires_at).toBeNull();
      expect((await newToken(root, { expires_in_days: 7 })).token.expires_at).not.toBeNull();
    });

    it("revokes a user's tokens when the user is disabled, even one made with another of them", async () => {
      const first = await newToken(alice.session, { role: "admin" });
      const second = await newToken(first.secret); // made with a token: still alice's
      const roots = await newToken(root);
      expect([await works(first.secret), await works(second.secret)]).toEqual([true, true]);
      const res = await call(handlers.updateUser, `/api/users/${alice.id}`, {
        auth: root,
        method: "PATCH",
        body: { disabled: true },
        params: { id: String(alice.id) },
      });
      expect(res.status).toBe(200);
      expect([await works(first.secret), await works(second.secret), await works(roots.secret)]).toEqual([false, false, true]);
      expect(await t.database.db.apiToken.count({ where: { createdById: alice.id, revokedAt: null } })).toBe(0);
      // Enabling the user again does not bring the tokens back.
      await call(handlers.updateUser, `/api/users/${alice.id}`, {
        auth: root,
        method: "PATCH",
        body: { disabled: false },
        params: { id: String(alice.id) },
      });
      expect(await works(first.secret)).toBe(false);
    });

    it("revokes a user's tokens when the user is deleted", async () => {
      const token = await newToken(alice.session);
      const res = await call(handlers.deleteUser, `/api/users/${alice.id}`, { auth: root, method: "DELETE", params: { id: String(alice.id) } });
      expect(res.status).toBe(200);
      expect(await works(token.secret)).toBe(false);
    });

    it("refuses a token whose user was disabled behind the API's back", async () => {
      const token = await newToken(alice.session);
      await t.database.db.user.update({ where: { id: alice.id }, data: { disabled: true } });
      expect((await call(handlers.me, "/api/auth/me", { auth: token.secret })).status).toBe(401);
    });
  });
}
