/**
 * Every route handler under src/app/api is behind the guard: without credentials it answers
 * 401 (except the public routes SPEC.md names), a viewer gets 403 on every state-changing
 * route (except signing out), and every state-changing route records an audit entry. Every
 * page under src/app/(authed) checks access on the server. A new route or page that forgets
 * this fails here.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { createSession } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/secrets";
import { freshDb, type TestDb } from "./support/db";
import { ENDPOINTS } from "@/contracts/api";
import { openApiDocument } from "@/contracts/openapi";

const API_DIR = path.resolve("src/app/api");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const PUBLIC = new Set(["GET /api/health", "GET /api/docs", "POST /api/auth/login"]);
/** State-changing routes every signed-in role may call. */
const ANY_SIGNED_IN_WRITE = new Set(["POST /api/auth/logout"]);
/** POSTs that change nothing (a body is simply handier than a query string); they must not audit. */
const READ_ONLY_POSTS = new Set(["POST /api/schedules/preview"]);

function walk(dir: string, file: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name), file) : e.name === file ? [path.join(dir, e.name)] : []));
}

const routeFiles = walk(API_DIR, "route.ts");
const urlOf = (file: string) => "/api/" + path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/");

let t: TestDb;
let viewerCookie = "";
const handlers: { key: string; method: string; url: string; handler: RouteHandler }[] = [];

beforeAll(async () => {
  t = await freshDb("sqlite");
  process.env.DATABASE_URL = t.url; // the route modules open the database on first use
  const viewer = await t.database.db.user.create({ data: { username: "v", passwordHash: await hashPassword("viewer-password"), role: "viewer" } });
  const { token } = await createSession(t.database.db, viewer.id, { ip: "127.0.0.1", userAgent: "test" });
  viewerCookie = `qtask_session=${token}`;
  for (const file of routeFiles) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of METHODS) {
      if (typeof mod[method] !== "function") continue;
      const url = urlOf(file);
      handlers.push({ key: `${method} ${url}`, method, url, handler: mod[method] as RouteHandler });
    }
  }
});

afterAll(async () => {
  await t?.drop();
});

function call(h: (typeof handlers)[number], headers: Record<string, string> = {}, param = "1") {
  const concrete = h.url.replace(/\[[^\]]+\]/g, param);
  const params = Object.fromEntries([...h.url.matchAll(/\[([^\]]+)\]/g)].map((m) => [m[1], param]));
  const hasBody = h.method !== "GET" && h.method !== "DELETE";
  const req = new Request(`http://127.0.0.1:3000${concrete}`, {
    method: h.method,
    headers: { ...(hasBody ? { "content-type": "application/json" } : {}), ...headers },
    body: hasBody ? "{}" : undefined,
  });
  return h.handler(req, { params: Promise.resolve(params) });
}

describe("route guard", () => {
  it("finds the route handlers", () => {
    expect(routeFiles.length).toBeGreaterThan(5);
    expect(handlers.map((h) => h.key)).toContain("POST /api/tasks");
  });

  it("declares public exactly the routes SPEC.md makes public", () => {
    for (const h of handlers) expect(h.handler.access === "public", h.key).toBe(PUBLIC.has(h.key));
  });

  it("answers 401 with the envelope to every non-public route without credentials", async () => {
    for (const h of handlers.filter((x) => !PUBLIC.has(x.key))) {
      const res = await call(h);
      expect(res.status, h.key).toBe(401);
      expect((await res.json()).error.code, h.key).toBe("unauthorized");
    }
  });

  it("answers 401 to a bad bearer token and to a forged session cookie", async () => {
    const h = handlers.find((x) => x.key === "GET /api/auth/me")!;
    expect((await call(h, { authorization: "Bearer qtk_not-a-real-token" })).status).toBe(401);
    expect((await call(h, { cookie: "qtask_session=qts_forged" })).status).toBe(401);
    expect((await call(h, { cookie: viewerCookie })).status).toBe(200);
  });

  it("answers 403 to a viewer on every state-changing route", async () => {
    const writes = handlers.filter((x) => x.method !== "GET" && !PUBLIC.has(x.key) && !ANY_SIGNED_IN_WRITE.has(x.key) && !READ_ONLY_POSTS.has(x.key));
    expect(writes.length).toBeGreaterThan(3);
    for (const h of writes) {
      const res = await call(h, { cookie: viewerCookie });
      expect(res.status, h.key).toBe(403);
      expect((await res.json()).error.code, h.key).toBe("forbidden");
    }
  });

  it("records an audit entry for every state-changing route", () => {
    for (const h of handlers.filter((x) => x.method !== "GET" && !PUBLIC.has(x.key))) {
      if (READ_ONLY_POSTS.has(h.key)) expect(h.handler.auditAction, h.key).toBeUndefined();
      else expect(h.handler.auditAction, `${h.key} declares no audit action`).toMatch(/^[a-z_]+\.[a-z_]+$/);
    }
  });

  it("treats a malformed session cookie as no session: 401 (or the public answer), never a 5xx", async () => {
    for (const h of handlers) {
      const res = await call(h, { cookie: "qtask_session=%E0%A4%A; other=%zz" });
      expect(res.status, h.key).toBe(PUBLIC.has(h.key) ? (h.key === "POST /api/auth/login" ? 400 : 200) : 401);
    }
  });

  it("answers a path parameter that is not valid percent-encoding with a 4xx envelope", async () => {
    for (const h of handlers.filter((x) => x.url.includes("["))) {
      const res = await call(h, { cookie: viewerCookie }, "%E0%A4%A");
      expect(res.status, h.key).toBeGreaterThanOrEqual(400);
      expect(res.status, h.key).toBeLessThan(500);
      expect((await res.json()).error.code, h.key).toMatch(/^(not_found|invalid_input|forbidden)$/);
    }
  });

  it("refuses a state-changing request with a foreign Origin, even with a valid session", async () => {
    const h = handlers.find((x) => x.key === "POST /api/auth/logout")!;
    const res = await call(h, { cookie: viewerCookie, origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect((await call(h, { cookie: viewerCookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("serves every declared endpoint from the route file of its path, and nothing undeclared", () => {
    const served = new Map(handlers.map((h) => [h.key, h]));
    for (const h of handlers) {
      const e = h.handler.endpoint;
      expect(e, `${h.key} is not built with route(endpoint, verb)`).toBeTruthy();
      // The file tree and the declaration agree: the export is the method, the folder the path.
      expect(`${e.method} ${e.path.replace(/\{([^}]+)\}/g, "[$1]")}`, `${h.key} serves another endpoint`).toBe(h.key);
      expect(ENDPOINTS, `${h.key}'s endpoint is missing from src/contracts/api.ts`).toContain(e);
    }
    for (const e of ENDPOINTS)
      expect(served.has(`${e.method} ${e.path.replace(/\{([^}]+)\}/g, "[$1]")}`), `${e.method} ${e.path} has no route file`).toBe(true);
    expect(ENDPOINTS).toHaveLength(handlers.length);
    // Every JSON endpoint documents its answer; every other one says what it answers with.
    for (const e of ENDPOINTS) expect(Boolean(e.response) !== Boolean(e.produces), `${e.method} ${e.path}`).toBe(true);
    const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.values(doc.paths).flatMap((p) => Object.keys(p))).toHaveLength(ENDPOINTS.length);
  });

  it("checks access on the server in every page", () => {
    const pages = walk(path.resolve("src/app/(authed)"), "page.tsx");
    expect(pages.length).toBeGreaterThan(0);
    for (const p of pages) expect(fs.readFileSync(p, "utf8"), p).toMatch(/await requirePage\("(viewer|operator|admin)"\)/);
  });
});
