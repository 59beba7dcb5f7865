/**
 * What a feed job may reach and what it lets people see (both databases, a real worker, a local
 * HTTP server): a payload URL on an undeclared host is refused at enqueue, through the API and
 * for schedules; a redirect from an allowed host to another one is refused without the request
 * being made; responses over QTASK_FEED_MAX_BYTES and requests over QTASK_FEED_TIMEOUT_MS fail;
 * a closed port says "fetch failed"; no response body reaches an error or a log line; and an
 * `api_key` in a URL appears in no log line, error, progress text, result, export or audit entry.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { finishedTask, freshDb, providers, type TestDb } from "./support/db";
import { fixtureServer } from "./support/http";
import { runLogMessages } from "./support/logs";
import { startWorker, type WorkerProcess } from "./support/processes";

const QUOTES = [
  { code: "600519.SH", price: 1700.5 },
  { code: "000001", price: 10.1 },
];
const BODY_SECRET = "BODY-SECRET-7731";
const KEYS = ["KEY-ENV-123", "KEY-PAYLOAD-456", "KEY-NAV-789", "KEY-SCHEDULE-000", "pass-word-1"];

const source = fixtureServer((url, { send, json, raw }) => {
  const path = url.split("?")[0];
  if (path === "/feed/quotes.json") return json(QUOTES);
  // User-info in a feed URL arrives as Basic auth.
  if (path === "/private/quotes.json")
    return raw.req.headers.authorization === `Basic ${Buffer.from(`feeds:${KEYS[4]}`).toString("base64")}` ? json(QUOTES) : json({}, 401);
  // Same host: followed. To another host: refused before it is requested.
  if (path === "/hop/quotes.json") return raw.writeHead(302, { location: "/feed/quotes.json" }).end();
  if (path === "/away") return raw.writeHead(302, { location: `http://localhost:${new URL(source.base).port}/secret` }).end();
  if (path === "/secret") return json(QUOTES);
  if (path === "/big/declared") return send(JSON.stringify(Array.from({ length: 200 }, () => QUOTES[0])), "application/json");
  if (path === "/big/chunked") {
    // No Content-Length: the cap has to count what arrives.
    raw.writeHead(200, { "content-type": "application/json" });
    raw.write("[");
    for (let i = 0; i < 200; i++) raw.write(JSON.stringify(QUOTES[0]) + ",");
    return raw.end(JSON.stringify(QUOTES[0]) + "]");
  }
  if (path === "/silent") return; // never answers
  if (path === "/err500") return send(`internal error: ${BODY_SECRET}`, "text/plain", 500);
  if (path === "/notjson") return send(`{"x": ${BODY_SECRET}`, "application/json");
  if (path === "/notcsv") return send(`code,price\n"${BODY_SECRET},1\n`, "text/csv");
  if (path.startsWith("/busy/")) return json({ error: BODY_SECRET }, 503);
  json({ error: "not found" }, 404);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`feed safety on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    let session = "";
    let closed = 0;
    let hosts = "";
    let handlers: { createTask: RouteHandler; createSchedule: RouteHandler; download: RouteHandler; logs: RouteHandler };

    beforeAll(async () => {
      closed = await closedPort();
      hosts = `${new URL(source.base).host}, 127.0.0.1:${closed}`;
      // The web side (enqueue checks) and the worker see the same declaration, as under npm start.
      process.env.QTASK_FEED_HOSTS = hosts;
      t = await freshDb(kind);
      await useRouteDb(t.url);
      handlers = {
        createTask: (await import("@/app/api/tasks/route")).POST as RouteHandler,
        createSchedule: (await import("@/app/api/schedules/route")).POST as RouteHandler,
        download: (await import("@/app/api/tasks/[id]/results/download/route")).GET as RouteHandler,
        logs: (await import("@/app/api/tasks/runs/[run_id]/logs/download/route")).GET as RouteHandler,
      };
      session = (await signedInUser(t.database.db, "feeds", "admin")).session;
      worker = await startWorker(t.url, {
        JOB_NUM: "1",
        QTASK_FEED_HOSTS: hosts,
        QTASK_FEED_MAX_BYTES: "1000",
        QTASK_FEED_TIMEOUT_MS: "1000",
        QTASK_QUOTES_URL: `${source.base}/busy/quotes.json?api_key=${KEYS[0]}&market=cn`,
        QTASK_FINANCIALS_URL: "",
        QTASK_TOP_LIST_URL: "",
        QTASK_CAPITAL_FLOW_URL: "",
      });
    });
    afterAll(async () => {
      delete process.env.QTASK_FEED_HOSTS;
      await worker?.stop("SIGKILL");
      await releaseRouteDb();
      await t?.drop();
    });

    const call = (h: RouteHandler, path: string, init: { method?: string; body?: unknown; params?: Record<string, string> } = {}) =>
      callRoute(h, path, { auth: session, ...init });
    const quotes = (payload: Record<string, unknown>) => ({ type: "realtime_quotes_sync", payload: { date: "2024-05-06", retries: 0, ...payload } });

    it("refuses a payload URL on an undeclared host at enqueue, in the API and in schedules, writing nothing", async () => {
      const before = await t.database.db.task.count();
      for (const url of [
        "http://169.254.169.254/latest/meta-data",
        "http://2130706433/",
        `http://localhost:${new URL(source.base).port}/feed/quotes.json`,
      ])
        await expect(enqueue(t.conn, registry, quotes({ url }))).rejects.toThrow(/payload does not match/);
      const res = await call(handlers.createTask, "/api/tasks", { method: "POST", body: quotes({ url: "http://10.0.0.1:6379/" }) });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toContain("host 10.0.0.1:6379 is not allowed: an admin must add it to QTASK_FEED_HOSTS");
      const schedule = await call(handlers.createSchedule, "/api/schedules", {
        method: "POST",
        body: {
          name: "ssrf",
          task_type: "realtime_quotes_sync",
          payload: { url: "http://metadata.google.internal/" },
          kind: "interval",
          interval_seconds: 3600,
        },
      });
      expect(schedule.status).toBe(400);
      expect(await t.database.db.task.count()).toBe(before);
      expect(await t.database.db.schedule.count({ where: { name: "ssrf" } })).toBe(0);
    });

    it("fetches declared hosts only, redirects included, within the size and time limits, quoting no body", async () => {
      const jobs = {
        hop: quotes({ url: `${source.base}/hop/quotes.json?api_key=${KEYS[1]}` }),
        away: quotes({ url: `${source.base}/away` }),
        declared: quotes({ url: `${source.base}/big/declared` }),
        chunked: quotes({ url: `${source.base}/big/chunked` }),
        silent: quotes({ url: `${source.base}/silent` }),
        closed: quotes({ url: `http://127.0.0.1:${closed}/feed` }),
        err500: quotes({ url: `${source.base}/err500` }),
        notjson: quotes({ url: `${source.base}/notjson` }),
        notcsv: quotes({ url: `${source.base}/notcsv` }),
      };
      const ids = Object.fromEntries(
        await Promise.all(Object.entries(jobs).map(async ([k, j]) => [k, (await enqueue(t.conn, registry, j)).id] as const)),
      );
      const done = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await finishedTask(t, id)] as const)));

      expect(done.hop.status).toBe("succeeded");
      expect(JSON.parse(done.hop.result!)).toMatchObject({ fetched: 2, source: `${source.base}/hop/quotes.json?api_key=***&date=***` });
      expect(done.away.error).toContain(`redirect refused: host localhost:${new URL(source.base).port} is not allowed`);
      expect(source.hits.has("/secret")).toBe(false);
      expect(done.declared.error).toContain("response larger than 1000 bytes (QTASK_FEED_MAX_BYTES)");
      expect(done.chunked.error).toContain("response larger than 1000 bytes (QTASK_FEED_MAX_BYTES)");
      expect(done.silent.error).toContain("timed out after 1 s");
      expect(done.closed.error).toContain(`http://127.0.0.1:${closed}/feed?date=***: fetch failed`);
      expect(done.closed.error).not.toMatch(/ECONNREFUSED/);
      expect(done.err500.error).toContain("/err500?date=***: HTTP 500");
      expect(done.notjson.error).toContain("feed is not valid JSON");
      expect(done.notcsv.error).toMatch(/feed is not valid CSV \(CSV_[A-Z_]+ at line \d+\)/);
      for (const d of Object.values(done)) {
        expect(d.error ?? "").not.toContain(BODY_SECRET);
        for (const line of await runLogMessages(t.conn, d.runId!)) expect(line).not.toContain(BODY_SECRET);
      }
    });

    it("never lets an api_key reach a log line, an error, a result, an export or the audit log", async () => {
      const env = await enqueue(t.conn, registry, quotes({ retries: 1 })); // QTASK_QUOTES_URL, with its key
      const payload = await enqueue(t.conn, registry, quotes({ url: `${source.base}/busy/quotes.json?api_key=${KEYS[1]}`, retries: 1 }));
      const nav = await enqueue(t.conn, registry, {
        type: "fund_nav_sync",
        payload: { source: "http", url: `${source.base}/busy/{code}.json?api_key=${KEYS[2]}`, fund_codes: ["000001", "000002"], retries: 0 },
      });
      const ok = await enqueue(
        t.conn,
        registry,
        quotes({ url: `http://feeds:${KEYS[4]}@${new URL(source.base).host}/private/quotes.json?api_key=${KEYS[1]}` }),
      );
      const created = await call(handlers.createSchedule, "/api/schedules", {
        method: "POST",
        body: {
          name: "keyed",
          task_type: "realtime_quotes_sync",
          payload: { url: `${source.base}/feed/quotes.json?api_key=${KEYS[3]}` },
          kind: "interval",
          interval_seconds: 3600,
          enabled: false,
        },
      });
      expect(created.status).toBe(201);

      const texts: string[] = [];
      for (const { id } of [env, payload, nav, ok]) {
        const task = await finishedTask(t, id);
        texts.push(task.error ?? "", task.result ?? "", task.progressMessage ?? "");
        const lines = await runLogMessages(t.conn, task.runId!);
        texts.push(...lines);
        const exported = await call(handlers.logs, `/api/tasks/runs/${task.runId}/logs/download`, { params: { run_id: String(task.runId) } });
        expect(exported.status).toBe(200);
        texts.push(await exported.text());
        const results = await call(handlers.download, `/api/tasks/${id}/results/download`, { params: { id: String(id) } });
        expect(results.status).toBe(200);
        texts.push(await results.text());
      }
      texts.push(...(await t.database.db.auditLog.findMany()).map((a) => `${a.target} ${a.details}`));
      const all = texts.join("\n");
      // What the redaction leaves: which source, not its key.
      expect(all).toContain(`${source.base}/busy/quotes.json?api_key=***&market=***&date=***: HTTP 503; retrying in 500 ms`);
      expect(all).toContain(`000001: ${source.base}/busy/000001.json?api_key=***: HTTP 503 (after 1 tries)`);
      expect((await t.database.db.task.findUniqueOrThrow({ where: { id: ok.id } })).status).toBe("succeeded");
      expect(all).toContain(`http://***@${new URL(source.base).host}/private/quotes.json?api_key=***&date=***`);
      expect(all).toContain(`/feed/quotes.json?api_key=***`); // the schedule's audit entry
      for (const key of KEYS) expect(all).not.toContain(key);
    });
  });
}
