/**
 * Bad input is harmless everywhere: generated bodies, query strings and path ids (oversized,
 * deeply nested, unicode, SQL and HTML fragments) sent to every route handler as an admin get
 * a 4xx with the error envelope — never a 5xx — and a rejected request changes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { createSession } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/secrets";
import { freshDb, type TestDb } from "./support/db";

const API_DIR = path.resolve("src/app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Routes whose side effects are the point even for odd input (signing in/out). */
const SKIP = new Set(["POST /api/auth/logout", "POST /api/auth/login"]);

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : []));
}

let t: TestDb;
let cookie = "";
const handlers: { key: string; method: string; url: string; handler: RouteHandler }[] = [];

beforeAll(async () => {
  t = await freshDb("sqlite");
  process.env.DATABASE_URL = t.url;
  const admin = await t.database.db.user.create({
    data: { username: "fuzz-admin", passwordHash: await hashPassword("fuzz-password"), role: "admin" },
  });
  cookie = `qtask_session=${(await createSession(t.database.db, admin.id, { ip: "127.0.0.1", userAgent: "fuzz" })).token}`;
  for (const file of walk(API_DIR)) {
    const mod = (await import(file)) as Record<string, unknown>;
    const url = "/api/" + path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/");
    for (const m of METHODS) if (typeof mod[m] === "function") handlers.push({ key: `${m} ${url}`, method: m, url, handler: mod[m] as RouteHandler });
  }
});
afterAll(async () => {
  await t?.drop();
});

/** Row counts of every table a rejected request must leave alone. */
async function snapshot() {
  const db = t.database.db;
  const [tasks, runs, users, tokens, schedules, instruments] = await Promise.all([
    db.task.count(),
    db.run.count(),
    db.user.count(),
    db.apiToken.count(),
    db.schedule.count(),
    db.instrument.count(),
  ]);
  return { tasks, runs, users, tokens, schedules, instruments };
}

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.constantFrom(
    "'; DROP TABLE tasks; --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%00",
    "null",
    "-1",
    "1e309",
    "NaN",
    "🤖".repeat(40),
    "a".repeat(5000),
    "0x10",
    "__proto__",
    "constructor",
  ),
);
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    nasty,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(nasty, tie("value"), { maxKeys: 4 }),
  ),
})).value;
const body = fc.oneof(
  jsonValue.map((v) => JSON.stringify(v)),
  fc.record({ type: nasty, payload: jsonValue, priority: fc.oneof(fc.integer(), nasty) }).map((v) => JSON.stringify(v)),
  nasty,
  fc.integer({ min: 40, max: 200 }).map((n) => "[".repeat(n) + "]".repeat(n)),
);
const query = fc.dictionary(
  fc.oneof(
    nasty,
    fc.constantFrom("limit", "cursor", "page", "page_size", "status", "type", "q", "from", "to", "after_seq", "level", "payload.x", "sort"),
  ),
  nasty,
  { maxKeys: 4 },
);
const pathId = fc.oneof(nasty, fc.constantFrom("0", "-5", "1.5", "99999999999999999999", "abc", "%2e%2e"));

describe("fuzzing every route handler", () => {
  it("finds the handlers", () => {
    expect(handlers.length).toBeGreaterThan(30);
  });

  it("never answers 5xx, always with the error envelope on 4xx, and a rejected request writes nothing", async () => {
    const targets = handlers.filter((h) => !SKIP.has(h.key));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, query, pathId, fc.boolean(), async (h, b, q, id, jsonType) => {
        const before = await snapshot();
        const params = Object.fromEntries([...h.url.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1], id]));
        const concrete = h.url.replace(/\[[^\]]+\]/g, encodeURIComponent(id));
        const qs = new URLSearchParams(q).toString();
        const hasBody = h.method !== "GET" && h.method !== "DELETE";
        const req = new Request(`http://127.0.0.1:3000${concrete}${qs ? `?${qs}` : ""}`, {
          method: h.method,
          headers: { cookie, ...(hasBody ? { "content-type": jsonType ? "application/json" : "text/plain" } : {}) },
          body: hasBody ? b : undefined,
        });
        const res = await h.handler(req, { params: Promise.resolve(params) });
        expect(res.status, `${h.key} answered ${res.status}`).toBeLessThan(500);
        if (res.status >= 400) {
          const text = await res.text();
          const env = JSON.parse(text) as { error?: { code?: string; message?: string } };
          expect(env.error?.code, `${h.key}: ${text.slice(0, 200)}`).toBeTruthy();
          expect(typeof env.error?.message).toBe("string");
          expect(await snapshot(), `${h.key} wrote despite ${res.status}`).toEqual(before);
        }
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261122) },
    );
  });
});
