/**
 * Bad input is harmless everywhere: generated bodies, query strings and path ids (oversized,
 * deeply nested, unicode, SQL and HTML fragments) sent to every route handler as an admin get
 * a 4xx with the error envelope — never a 5xx — and a rejected request changes nothing: not a
 * row in any table (compared by content, so an update counts too). A few rows exist so that
 * path ids like 1 and 2 reach real tasks, runs and schedules. Besides the random mix, every
 * handler gets every kind of hostile input once.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { createSession } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/secrets";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
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
  // Something for path ids to hit: a finished task with a run, a log line and a result row, a
  // queued task, and a schedule.
  const db = t.database.db;
  const done = await enqueue(t.conn, registry, { type: "noop", batchId: "fuzz-batch" });
  await enqueue(t.conn, registry, { type: "sleep", payload: { ms: 10 }, runAt: new Date(Date.now() + 86_400_000) });
  const run = await db.run.create({ data: { taskId: done.id, attempt: 1, status: "succeeded", finishedAt: new Date(), durationMs: 1 } });
  await db.task.update({ where: { id: done.id }, data: { status: "succeeded", attempts: 1, runId: run.id, finishedAt: new Date(), progress: 100 } });
  await db.runLog.create({ data: { runId: run.id, seq: 1, ts: new Date(), level: "info", message: "fuzz" } });
  await db.resultRow.create({ data: { taskId: done.id, rowKey: "a", runId: run.id, data: "{}" } });
  await db.schedule.create({
    data: { name: "fuzz", taskType: "noop", kind: "interval", intervalSeconds: 3600, nextRunAt: new Date(Date.now() + 3_600_000), timezone: "UTC" },
  });
  for (const file of walk(API_DIR)) {
    const mod = (await import(file)) as Record<string, unknown>;
    const url = "/api/" + path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/");
    for (const m of METHODS) if (typeof mod[m] === "function") handlers.push({ key: `${m} ${url}`, method: m, url, handler: mod[m] as RouteHandler });
  }
});
afterAll(async () => {
  await t?.drop();
});

/** Tables every request writes to by design: only their row counts are compared. */
const TOUCHED = new Set(["sessions"]); // each request renews its own session

/**
 * A fingerprint of every table's content (tables added later are included without listing
 * them here), which a rejected request must leave as it was.
 */
async function snapshot() {
  const db = t.database.db;
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%' ORDER BY name`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${name}" ORDER BY rowid`);
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    out[name] = TOUCHED.has(name) ? `${rows.length} rows` : `${rows.length} rows, ${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
  }
  return out;
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
    "1 OR 1=1",
    "' OR ''='",
    "1; DELETE FROM users; --",
    "%' --",
    '"; SELECT pg_sleep(5); --',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}${7*7}",
    "\u0000",
    "\ud800",
    "\u202eevil",
    "a\u200bb",
    "１２３",
    "e\u0301\u0301\u0301",
    "𝕏".repeat(300),
  ),
);

/** {"a": {"a": … 1}} nested `n` deep. */
function deepObject(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}
/** Past the 1 MiB body limit. */
const OVERSIZED = [JSON.stringify({ type: "noop", payload: { blob: "x".repeat(1_100_000) } }), "[" + "1,".repeat(600_000) + "1]"];
const DEEP = [
  JSON.stringify({ type: "noop", payload: deepObject(40) }),
  '{"a":'.repeat(5_000) + "1" + "}".repeat(5_000),
  "[".repeat(100_000) + "]".repeat(100_000),
];
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
  fc.integer({ min: 33, max: 400 }).map((n) => JSON.stringify({ type: "noop", payload: deepObject(n) })),
  fc.constantFrom(...OVERSIZED),
);
const query = fc.dictionary(
  fc.oneof(
    nasty,
    fc.constantFrom("limit", "cursor", "page", "page_size", "status", "type", "q", "from", "to", "after_seq", "level", "payload.x", "sort"),
  ),
  nasty,
  { maxKeys: 4 },
);
const pathId = fc.oneof(
  nasty,
  fc.constantFrom("0", "-5", "1.5", "99999999999999999999", "abc", "%2e%2e", "1e3", "0x1", " 1", "１"),
  // Ids of the fixture rows: handlers reach real rows with bad bodies and query strings.
  fc.constantFrom("1", "2", "fuzz-batch"),
);

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * Sends one request to a handler and checks the answer: never a 5xx; a 4xx carries the error
 * envelope and left every table as it was. Returns the status.
 */
async function send(h: (typeof handlers)[number], b: string, q: Record<string, string>, id: string, jsonType: boolean): Promise<number> {
  const before = await snapshot();
  // A URL cannot carry a lone surrogate: it arrives as U+FFFD (bodies can: JSON's "\ud800").
  const wellFormed = id.replace(/\p{Cs}/gu, "\ufffd");
  const params = Object.fromEntries([...h.url.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1], wellFormed]));
  const concrete = h.url.replace(/\[[^\]]+\]/g, encodeURIComponent(wellFormed));
  const qs = new URLSearchParams(q).toString();
  const hasBody = BODY_METHODS.has(h.method);
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
  } else {
    await res.arrayBuffer();
  }
  return res.status;
}

describe("fuzzing every route handler", () => {
  it("finds the handlers", () => {
    expect(handlers.length).toBeGreaterThan(30);
  });

  it("never answers 5xx, always with the error envelope on 4xx, and a rejected request writes nothing", async () => {
    const targets = handlers.filter((h) => !SKIP.has(h.key));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, query, pathId, fc.boolean(), async (h, b, q, id, jsonType) => {
        await send(h, b, q, id, jsonType);
      }),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261122) },
    );
  });

  it("every handler, every kind of hostile input: oversized and deep bodies, SQL, HTML and unicode in body, query and path", async () => {
    const kinds: { name: string; body: string; query: Record<string, string>; id: string }[] = [
      ...OVERSIZED.map((b, i) => ({ name: `oversized body ${i}`, body: b, query: {}, id: "1" })),
      ...DEEP.map((b, i) => ({ name: `deep body ${i}`, body: b, query: {}, id: "1" })),
      ...[
        ["sql", "1; DELETE FROM tasks; --"],
        ["html", "<script>alert(1)</script>"],
        ["unicode", "\u202e\ud800𝕏\u0000"],
      ].map(([name, v]) => ({
        name,
        body: JSON.stringify({ type: v, payload: { [v]: v }, name: v, q: v, ids: [v] }),
        query: { q: v, status: v, limit: v, cursor: v, [v]: v },
        id: v,
      })),
    ];
    for (const h of handlers.filter((x) => !SKIP.has(x.key))) {
      for (const k of kinds) await send(h, k.body, k.query, k.id, true);
    }
    // Where a body is the point, the limits answer precisely: 413 past the size (1 MiB; a batch
    // may take 8 MiB), 400 past the depth.
    const post = handlers.find((x) => x.key === "POST /api/tasks")!;
    const batch = handlers.find((x) => x.key === "POST /api/tasks/batch")!;
    for (const b of OVERSIZED) expect(await send(post, b, {}, "1", true), "POST /api/tasks: oversized").toBe(413);
    expect(await send(batch, JSON.stringify({ tasks: [{ type: "noop", payload: { blob: "x".repeat(9_000_000) } }] }), {}, "1", true)).toBe(413);
    for (const h of [post, batch]) for (const b of DEEP) expect(await send(h, b, {}, "1", true), `${h.key}: deep`).toBe(400);
    // JSON can spell text that is not Unicode (a lone surrogate): refused, not a 500 from the database layer.
    expect(await send(post, '{"type":"noop","idempotency_key":"a\\ud800"}', {}, "1", true)).toBe(400);
  });
});
