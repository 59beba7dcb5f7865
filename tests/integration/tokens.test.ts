/**
 * API tokens belong to their user (both databases, through the real route handlers): disabling
 * or deleting the user revokes them, even one made with another of the user's tokens, and a new
 * token expires after 90 days unless "never" is asked for explicitly.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { callRoute as call, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

let handlers: { createToken: RouteHandler; me: RouteHandler; updateUser: RouteHandler; deleteUser: RouteHandler };

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`API tokens on ${kind}`, () => {
    let t: TestDb;
    let root: string;
    let alice: { id: number; session: string };

    beforeEach(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      handlers = {
        createToken: (await import("@/app/api/auth/tokens/route")).POST as RouteHandler,
        me: (await import("@/app/api/auth/me/route")).GET as RouteHandler,
        updateUser: (await import("@/app/api/users/[id]/route")).PATCH as RouteHandler,
        deleteUser: (await import("@/app/api/users/[id]/route")).DELETE as RouteHandler,
      };
      root = (await signedInUser(t.database.db, "root", "admin")).session;
      alice = await signedInUser(t.database.db, "alice", "admin");
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
