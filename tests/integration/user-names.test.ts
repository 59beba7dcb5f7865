/**
 * Usernames and passwords as admins set them (both databases, the real route handlers):
 * names are unique whatever their case and sign-in finds them whatever case is typed; weak
 * passwords are refused with nothing written; ADMIN_PASSWORD follows the same rules; and the
 * migration that made names case-insensitive renames the later of two names that differ only
 * in case instead of failing.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, sql } from "@/db/dialect";
import { execute } from "@/queue/sql/executor";
import { ensureAdmin } from "@/server/auth/bootstrap";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`usernames and passwords on ${kind}`, () => {
    let t: TestDb;
    let session = "";
    let h: { create: RouteHandler; update: RouteHandler; login: RouteHandler };
    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      h = {
        create: (await import("@/app/api/users/route")).POST as RouteHandler,
        update: (await import("@/app/api/users/[id]/route")).PATCH as RouteHandler,
        login: (await import("@/app/api/auth/login/route")).POST as RouteHandler,
      };
      session = (await signedInUser(t.database.db, "boss", "admin")).session;
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    const post = async (handler: RouteHandler, path: string, body: unknown, method = "POST", params: Record<string, string> = {}) => {
      const res = await callRoute(handler, path, { auth: session, method, body, params });
      return { status: res.status, json: (await res.json()) as { user?: { id: string }; error?: { message: string; details?: unknown } } };
    };

    it("keeps names unique whatever their case, and signs in whatever case is typed", async () => {
      expect((await post(h.create, "/api/users", { username: "SEC_VIEWER", password: "viewer-password-1" })).status).toBe(201);
      const again = await post(h.create, "/api/users", { username: "sec_viewer", password: "viewer-password-2" });
      expect(again.status).toBe(409);
      expect(again.json.error!.message).toBe("user SEC_VIEWER already exists");
      expect(await t.database.db.user.count({ where: { usernameKey: "sec_viewer" } })).toBe(1);
      // The database itself refuses a second spelling, whoever writes it.
      await expect(t.database.db.user.create({ data: { username: "Sec_Viewer", passwordHash: "x" } })).rejects.toThrow();
      const login = await post(h.login, "/api/auth/login", { username: "sec_Viewer", password: "viewer-password-1" });
      expect(login.status).toBe(200);
    });

    it("refuses weak passwords when creating a user or resetting one, writing nothing", async () => {
      const before = await t.database.db.user.count();
      for (const [password, why] of [
        ["password123", /commonly used/],
        ["aaaaaaaaaa", /too few characters/],
        ["abcdefghij", /sequence/],
        ["Quant.Lead7", /must not be the username/],
      ] as const) {
        const res = await post(h.create, "/api/users", { username: "quant.lead7", password });
        expect(res.status).toBe(400);
        expect(res.json.error!.message).toMatch(why);
        expect(res.json.error!.details).toMatchObject({ issues: [{ path: "password" }] });
      }
      expect(await t.database.db.user.count()).toBe(before);
      const made = await post(h.create, "/api/users", { username: "quant.lead7", password: "a good long phrase" });
      expect(made.status).toBe(201);
      const id = made.json.user!.id;
      const hashBefore = (await t.database.db.user.findUniqueOrThrow({ where: { id: Number(id) } })).passwordHash;
      expect((await post(h.update, `/api/users/${id}`, { password: "QUANT.LEAD7" }, "PATCH", { id })).status).toBe(400);
      expect((await t.database.db.user.findUniqueOrThrow({ where: { id: Number(id) } })).passwordHash).toBe(hashBefore);
    });

    it("refuses a weak ADMIN_PASSWORD at the first start", async () => {
      const fresh = await freshDb(kind);
      try {
        await expect(ensureAdmin(fresh.database.db, { ADMIN_PASSWORD: "1234567890" }, "/nonexistent")).rejects.toThrow(
          /ADMIN_PASSWORD: .*commonly used/,
        );
        await expect(
          ensureAdmin(fresh.database.db, { ADMIN_USERNAME: "管理员", ADMIN_PASSWORD: "a good long phrase" }, "/nonexistent"),
        ).rejects.toThrow(/ADMIN_USERNAME/);
        expect(await fresh.database.db.user.count()).toBe(0);
      } finally {
        await fresh.drop();
      }
    });

    it("the migration renames the later of two names that differ only in case", async () => {
      const fresh = await freshDb(kind);
      try {
        const db = fresh.database.db;
        // As before migration 0013: no case-insensitive index.
        await execute(fresh.conn, sql`DROP INDEX "users_username_key_key"`);
        const first = await db.user.create({ data: { username: "Trader", passwordHash: "x" } });
        const second = await db.user.create({ data: { username: "TRADER", passwordHash: "x" } });
        const migration = fs.readFileSync(path.resolve(`prisma/${kind}/migrations/0013_username_case/migration.sql`), "utf8");
        const update = /UPDATE "users"[\s\S]*?;/.exec(migration)![0].replace(/;$/, "");
        await execute(fresh.conn, raw(update));
        await execute(fresh.conn, sql`CREATE UNIQUE INDEX "users_username_key_key" ON "users"("username_key")`);
        expect((await db.user.findMany({ orderBy: { id: "asc" } })).map((u) => u.username)).toEqual(["Trader", `TRADER-${second.id}`]);
        expect(first.id).toBeLessThan(second.id);
      } finally {
        await fresh.drop();
      }
    });
  });
}
