/**
 * The sign-in limit against the real login route on both databases: attempts sent at once are
 * each counted before their password is checked, a locked account still opens from an address
 * that has not failed, the per-address limit holds across usernames, and successful sign-ins do
 * not count against their address.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, setClientAddressSecret } from "@/server/auth/clientAddress";
import { MAX_FAILURES_PER_IP, MAX_FAILURES_PER_USER } from "@/server/auth/rateLimit";
import { hashPassword } from "@/server/auth/secrets";
import type { RouteHandler } from "@/server/route";
import { useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

const SECRET = "sign-in-test";
let login: RouteHandler;

/** One sign-in attempt from `ip`; resolves with the status. */
async function attempt(username: string, password: string, ip: string): Promise<number> {
  const req = new Request("http://127.0.0.1:3000/api/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", [CLIENT_ADDRESS_HEADER]: `${SECRET} ${ip}` },
    body: JSON.stringify({ username, password }),
  });
  return (await login(req, { params: Promise.resolve({}) })).status;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`sign-in limit on ${kind}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      setClientAddressSecret(SECRET);
      login = (await import("@/app/api/auth/login/route")).POST as RouteHandler;
      await t.database.db.user.create({ data: { username: "alice", passwordHash: await hashPassword("alice-password-1"), role: "viewer" } });
    });
    afterEach(async () => {
      await t.drop();
    });

    it("checks at most the limit's worth of 40 wrong passwords sent at once", async () => {
      const statuses = await Promise.all(Array.from({ length: 40 }, () => attempt("alice", "wrong-password", "198.51.100.1")));
      const checked = statuses.filter((s) => s === 401).length;
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(MAX_FAILURES_PER_USER);
      expect(statuses.filter((s) => s === 429)).toHaveLength(40 - checked);
    });

    it("keeps a locked account closed to the addresses that failed, open to one that did not", async () => {
      for (let i = 0; i < MAX_FAILURES_PER_USER; i++) expect(await attempt("alice", "wrong-password", `198.51.100.${10 + i}`)).toBe(401);
      // Every address that failed is refused now, even with the right password…
      expect(await attempt("alice", "alice-password-1", "198.51.100.10")).toBe(429);
      // …but the owner, from an address that has not failed, signs in (and that forgets the failures).
      expect(await attempt("alice", "alice-password-1", "203.0.113.5")).toBe(200);
      expect(await attempt("alice", "alice-password-1", "198.51.100.10")).toBe(200);
    });

    it("refuses an address after 20 failures, whatever the username", async () => {
      for (let i = 0; i < MAX_FAILURES_PER_IP; i++) expect(await attempt(`nobody${i}`, "wrong-password", "198.51.100.99")).toBe(401);
      expect(await attempt("alice", "alice-password-1", "198.51.100.99")).toBe(429);
      expect(await attempt("alice", "alice-password-1", "198.51.100.98")).toBe(200);
    });

    it("does not count successful sign-ins against their address", async () => {
      for (let i = 0; i < MAX_FAILURES_PER_IP + 5; i++) expect(await attempt("alice", "alice-password-1", "198.51.100.50")).toBe(200);
    });
  });
}
