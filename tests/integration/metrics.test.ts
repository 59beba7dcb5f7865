/**
 * `GET /api/metrics` on both databases: refused without a viewer token or an allowed
 * address; the exposition passes a strict line check; after a batch run by a real worker the
 * counts, counters and histogram counts equal the database's; a paused queue shows as paused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as metricsRoute from "@/app/api/metrics/route";
import * as tokensRoute from "@/app/api/auth/tokens/route";
import { enqueueMany } from "@/queue/enqueue";
import { setPaused } from "@/queue/sql/queueControls";
import { CLIENT_ADDRESS_HEADER, setClientAddressSecret } from "@/server/auth/clientAddress";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

const SECRET = "metrics-test-secret";

/** Sample lines by name and labels; throws on any line the text format does not allow. */
function parseExposition(text: string): Map<string, number> {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  const name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  const sample = new RegExp(`^(${name})(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*",?)*\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$`);
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let m: RegExpMatchArray | null;
    if ((m = line.match(new RegExp(`^# HELP (${name}) .+$`)))) continue;
    if ((m = line.match(new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`)))) {
      types.set(m[1], m[2]);
      continue;
    }
    m = line.match(sample);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, "");
    if (!types.has(m[1]) && !(types.get(family) === "histogram")) throw new Error(`sample without a TYPE: ${line}`);
    samples.set(`${m[1]}${m[2] ?? ""}`, Number(m[3]));
  }
  // Histograms: buckets cumulative, +Inf equals _count.
  for (const [fam, type] of types) {
    if (type !== "histogram") continue;
    const byLabels = new Map<string, number[]>();
    for (const [k, v] of samples) {
      const b = k.match(new RegExp(`^${fam}_bucket\\{(.*)le="([^"]+)"\\}$`));
      if (b) byLabels.set(b[1], [...(byLabels.get(b[1]) ?? []), v]);
    }
    for (const [labels, values] of byLabels) {
      for (let i = 1; i < values.length; i++) if (values[i] < values[i - 1]) throw new Error(`${fam}{${labels}} buckets not cumulative`);
      const count = samples.get(`${fam}_count{${labels.replace(/,$/, "")}}`);
      expect(count).toBe(values[values.length - 1]);
    }
  }
  return samples;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`metrics on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    let token: string;
    const get = (auth?: string, ip = "203.0.113.9") =>
      metricsRoute.GET(
        new Request("http://127.0.0.1:3000/api/metrics", {
          headers: { [CLIENT_ADDRESS_HEADER]: `${SECRET} ${ip}`, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
        }),
        { params: Promise.resolve({}) },
      );
    const scrape = async () => {
      const res = await get(token);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain");
      return parseExposition(await res.text());
    };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      setClientAddressSecret(SECRET);
      const admin = (await signedInUser(t.database.db, "ada", "admin")).session;
      const res = await callRoute(tokensRoute.POST, "/api/auth/tokens", { auth: admin, body: { name: "prometheus", role: "viewer" } });
      expect(res.status).toBe(201);
      token = ((await res.json()) as { secret: string }).secret;
      worker = await startWorker(t.url, { QTASK_QUEUES: "mq", QTASK_SCHEDULER_MS: "0" });
    }, 60_000);
    afterAll(async () => {
      await worker?.stop();
      delete process.env.QTASK_METRICS_ALLOW;
      await releaseRouteDb();
      await t.drop();
    });

    it("refuses a caller with neither a viewer token nor an allowed address; allows either", async () => {
      const refused = await get();
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      process.env.QTASK_METRICS_ALLOW = "10.0.0.0/8, 127.0.0.1";
      expect((await get(undefined, "10.1.2.3")).status).toBe(200);
      expect((await get(undefined, "::ffff:127.0.0.1")).status).toBe(200);
      expect((await get(undefined, "203.0.113.9")).status).toBe(401);
      delete process.env.QTASK_METRICS_ALLOW;
      expect((await get(token)).status).toBe(200);
    });

    it("after a batch, the counts, counters and histograms equal the database's", async () => {
      await scrape(); // the counters count from here
      await enqueueMany(t.conn, registry, [
        ...Array.from({ length: 30 }, () => ({ type: "noop", queue: "mq", payload: {} })),
        ...Array.from({ length: 5 }, () => ({ type: "flaky", queue: "mq", payload: { fail_times: 5 }, maxAttempts: 1 })),
      ]);
      await waitFor(async () => (await t.database.db.task.count({ where: { queue: "mq", finishedAt: { not: null } } })) === 35, 30_000, "the batch finished");
      // The counts are the overview's cached aggregates: wait for their refresh.
      const m = await waitFor(
        async () => {
          const s = await scrape();
          return s.get('qtask_tasks{queue="mq",status="succeeded"}') === 30 ? s : null;
        },
        15_000,
        "the aggregates' refresh",
      );
      const db = t.database.db;
      expect(m.get('qtask_tasks{queue="mq",status="failed"}')).toBe(await db.task.count({ where: { queue: "mq", status: "failed" } }));
      expect(m.get('qtask_tasks{queue="mq",status="queued"}')).toBe(0);
      expect(m.get('qtask_runs_started_total{type="noop"}')).toBe(await db.run.count({ where: { task: { type: "noop" } } }));
      expect(m.get('qtask_runs_started_total{type="flaky"}')).toBe(5);
      expect(m.get('qtask_tasks_finished_total{type="noop",status="succeeded"}')).toBe(30);
      expect(m.get('qtask_tasks_finished_total{type="flaky",status="failed"}')).toBe(5);
      expect(m.get('qtask_task_duration_seconds_count{type="noop"}')).toBe(30);
      expect(m.get('qtask_task_wait_seconds_count{type="flaky"}')).toBe(5);
      expect(m.get("qtask_workers_online")).toBe(1);
      expect(m.get('qtask_queue_workers{queue="mq"}')).toBe(1);
      expect(m.get('qtask_queue_paused{queue="mq"}')).toBe(0);
      // The histogram's sum is the durations' sum, by hand from the rows.
      const rows = await db.task.findMany({ where: { type: "noop" } });
      const sum = rows.reduce((a, r) => a + (r.finishedAt!.getTime() - r.startedAt!.getTime()) / 1000, 0);
      expect(m.get('qtask_task_duration_seconds_sum{type="noop"}')).toBeCloseTo(sum, 3);

      // Scraping again counts nothing twice.
      const again = await scrape();
      expect(again.get('qtask_tasks_finished_total{type="noop",status="succeeded"}')).toBe(30);
      expect(again.get('qtask_runs_started_total{type="noop"}')).toBe(30);

      await setPaused(t.conn, "mq", true, "tester");
      expect((await scrape()).get('qtask_queue_paused{queue="mq"}')).toBe(1);
    });
  });
}
