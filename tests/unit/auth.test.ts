import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { roleAtLeast, ROLES } from "@/contracts/roles";
import { clientIp, readCookie, sessionCookie } from "@/server/auth/session";
import { hashPassword, newToken, PasswordWorkBusy, tokenHash, verifyPassword } from "@/server/auth/secrets";

describe("roles", () => {
  it("orders viewer < operator < admin", () => {
    expect(ROLES).toEqual(["viewer", "operator", "admin"]);
    expect(roleAtLeast("admin", "operator")).toBe(true);
    expect(roleAtLeast("operator", "operator")).toBe(true);
    expect(roleAtLeast("viewer", "operator")).toBe(false);
  });
});

describe("secrets", () => {
  it("hashes passwords with argon2id and verifies them", async () => {
    const h = await hashPassword("correct horse battery");
    expect(h).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(h, "correct horse battery")).toBe(true);
    expect(await verifyPassword(h, "wrong")).toBe(false);
    expect(await verifyPassword(null, "anything")).toBe(false);
    expect(await verifyPassword("not a hash", "x")).toBe(false);
  });

  it("runs at most a few password checks at once and turns away a flood beyond the queue", async () => {
    const h = await hashPassword("correct horse battery");
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => verifyPassword(h, "wrong")));
    const refused = results.filter((r) => r.status === "rejected");
    // 4 running and 32 waiting are served; the rest are refused at once (the API answers 429).
    expect(refused).toHaveLength(60 - 4 - 32);
    expect(refused.every((r) => (r as PromiseRejectedResult).reason instanceof PasswordWorkBusy)).toBe(true);
    expect(results.filter((r) => r.status === "fulfilled" && r.value === false)).toHaveLength(36);
    // Once they are done, checks run again.
    expect(await verifyPassword(h, "correct horse battery")).toBe(true);
    // 37 argon2id checks of 64 MiB: ~3 s on 2 idle cores, more while other suites run beside it.
  }, 60_000);

  it("makes long random tokens and stores only their SHA-256", () => {
    const a = newToken("qtk");
    expect(a).toMatch(/^qtk_[A-Za-z0-9_-]{43}$/);
    expect(newToken("qtk")).not.toBe(a);
    expect(tokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(a)).not.toContain(a.slice(4));
  });
});

describe("cookies and addresses", () => {
  it("reads one cookie among several", () => {
    expect(readCookie("a=1; qtask_session=qts_x%3D; b=2", "qtask_session")).toBe("qts_x=");
    expect(readCookie("qtask_sessionX=1", "qtask_session")).toBeNull();
    expect(readCookie(null, "qtask_session")).toBeNull();
  });

  it("sets the session cookie HTTP-only and SameSite, Secure over HTTPS", () => {
    const c = sessionCookie("qts_abc", new Date("2030-01-01T00:00:00Z"), true);
    expect(c).toContain("HttpOnly");
    expect(c).toContain("SameSite=Lax");
    expect(c).toContain("Secure");
    expect(sessionCookie("qts_abc", new Date(), false)).not.toContain("Secure");
  });

  it("never takes the address from X-Forwarded-For itself: only from the web server's stamp", () => {
    const req = (h: Record<string, string>) => new Request("http://x/", { headers: h });
    expect(clientIp(req({ "x-forwarded-for": "1.2.3.4, 10.0.0.7" }))).toBe("unknown");
    expect(clientIp(req({ "x-real-ip": "127.0.0.1" }))).toBe("unknown");
    expect(clientIp(req({}))).toBe("unknown");
  });
});

describe("rendering", () => {
  it("never renders text as HTML", () => {
    const walk = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    const offenders = walk("src")
      .filter((f) => /\.(tsx?|jsx?)$/.test(f) && !f.includes("generated"))
      .filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=/.test(fs.readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
