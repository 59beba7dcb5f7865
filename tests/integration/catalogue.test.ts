/**
 * config/tasks.yaml and schedule import/export on both databases, through the real route
 * handlers: the start-up load (add new, update changed, keep UI-made and UI-paused ones, ship
 * feeds without a URL disabled with the reason), export → import round trip, the diff preview,
 * rejection of invalid files with their line (nothing changes), the audit trail with before
 * and after, and backfills (one task per trading day, a per-date status grid).
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { RouteHandler } from "@/server/route";
import { createSession } from "@/server/auth/session";
import { hashPassword } from "@/server/auth/secrets";
import { loadCatalogueFile } from "@/server/schedule/cataloguePlan";
import { registry } from "@/tasks";
import { GET as exportSchedules } from "@/app/api/schedules/export/route";
import { POST as importSchedules } from "@/app/api/schedules/import/route";
import { GET as listSchedules, POST as createSchedule } from "@/app/api/schedules/route";
import { PATCH as patchSchedule } from "@/app/api/schedules/[id]/route";
import { POST as resumeSchedule } from "@/app/api/schedules/[id]/resume/route";
import { POST as backfill } from "@/app/api/schedules/[id]/backfill/route";
import { GET as backfills } from "@/app/api/schedules/[id]/backfills/route";
import { freshDb, providers, type TestDb } from "./support/db";

const g = globalThis as unknown as { __qtaskDb?: Promise<Database> };
const SHIPPED = path.resolve("config/tasks.yaml");
const FEED_ENVS = [
  "QTASK_NAV_SOURCE_URL",
  "QTASK_FUND_BASIC_URL",
  "QTASK_QUOTES_URL",
  "QTASK_FINANCIALS_URL",
  "QTASK_TOP_LIST_URL",
  "QTASK_CAPITAL_FLOW_URL",
  "QTASK_API_TOKEN",
];

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`catalogue on ${kind}`, () => {
    let t: TestDb;
    let cookie = "";
    let dir = "";
    beforeAll(async () => {
      for (const e of FEED_ENVS) delete process.env[e];
      t = await freshDb(kind);
      process.env.DATABASE_URL = t.url;
      g.__qtaskDb = undefined;
      const admin = await t.database.db.user.create({
        data: { username: "cat-admin", passwordHash: await hashPassword("cat-password"), role: "admin" },
      });
      cookie = `qtask_session=${(await createSession(t.database.db, admin.id, { ip: "127.0.0.1", userAgent: "test" })).token}`;
      dir = fs.mkdtempSync(path.join(path.dirname(t.url.startsWith("file:") ? t.url.slice(5) : path.resolve(".data/tmp")), "cat-"));
    });
    afterAll(async () => {
      const shared = g.__qtaskDb;
      g.__qtaskDb = undefined;
      await (await shared)?.close();
      await t?.drop();
    });

    const call = (h: RouteHandler, url: string, init: RequestInit & { params?: Record<string, string> } = {}) =>
      h(new Request(`http://localhost${url}`, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } }), {
        params: Promise.resolve(init.params ?? {}),
      });
    const yamlPost = (url: string, body: string) =>
      call(importSchedules, url, { method: "POST", body, headers: { "content-type": "application/yaml" } });
    const byName = async () => {
      const res = await call(listSchedules, "/api/schedules?limit=200");
      const items = ((await res.json()) as { items: Record<string, unknown>[] }).items;
      return new Map(items.map((s) => [s.name as string, s]));
    };

    it("loads the shipped catalogue: fourteen schedules and three groups; feeds and scripts without their settings disabled, saying why", async () => {
      const { db } = t.database;
      const first = await loadCatalogueFile(db, registry, SHIPPED);
      expect(first.problems).toBeUndefined();
      expect(first.added).toHaveLength(17);
      const s = await byName();
      expect(s.get("daily_nav_sync")).toMatchObject({
        enabled: false,
        blocked_reason: expect.stringContaining("QTASK_NAV_SOURCE_URL"),
        from_catalogue: true,
      });
      expect(s.get("market_data_fetch")).toMatchObject({
        task_type: "group",
        enabled: false,
        blocked_reason: expect.stringContaining("QTASK_QUOTES_URL"),
      });
      expect(s.get("indicator_calculation")).toMatchObject({ enabled: true, blocked_reason: null, kind: "after_close", after_close_minutes: 300 });
      expect(s.get("weekly_maintenance")).toMatchObject({ enabled: true, payload: { mode: "sequence" } });
      // Script types: a script whose variables are unset waits, disabled, like a feed without a URL.
      expect(s.get("fund_stats_daily")).toMatchObject({
        task_type: "fund_stats_py",
        enabled: false,
        blocked_reason: expect.stringContaining("QTASK_API_TOKEN"),
      });
      expect(s.get("quote_collector")).toMatchObject({ task_type: "collector_py", kind: "supervised", enabled: true });
      // after_close: 20:00 Shanghai (12:00 UTC) on trading days.
      for (const at of s.get("indicator_calculation")!.next_runs as string[]) expect(at).toMatch(/T12:00:00/);
      // Enabling a feed without a URL is refused with the reason.
      const id = String(s.get("top_list_fetch")!.id);
      const res = await call(resumeSchedule, `/api/schedules/${id}/resume`, { method: "POST", params: { id } });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("QTASK_TOP_LIST_URL");
      // Loaded entries are audited as the system's doing.
      expect(await db.auditLog.count({ where: { action: "schedule.catalogue", actor: "system" } })).toBe(17);
    });

    it("a restart re-applies only entries whose text changed; UI-made schedules and UI pauses are kept", async () => {
      const { db } = t.database;
      // A schedule made in the UI, and a shipped one paused in the UI.
      const created = await call(createSchedule, "/api/schedules", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "mine", task_type: "noop", kind: "interval", interval_seconds: 3600 }),
      });
      expect(created.status).toBe(201);
      const backtestId = String((await byName()).get("weekly_backtest")!.id);
      expect(
        (
          await call(patchSchedule, `/api/schedules/${backtestId}`, {
            method: "PATCH",
            params: { id: backtestId },
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ enabled: false }),
          })
        ).status,
      ).toBe(200);

      const again = await loadCatalogueFile(db, registry, SHIPPED);
      expect(again).toMatchObject({ added: [], updated: [], unchanged: 17 });
      // The file changes one entry: only that one is updated.
      const edited = path.join(dir, "tasks.yaml");
      fs.writeFileSync(edited, fs.readFileSync(SHIPPED, "utf8").replace("after_close_minutes: 300", "after_close_minutes: 320"));
      const third = await loadCatalogueFile(db, registry, edited);
      expect(third).toMatchObject({ added: [], updated: ["indicator_calculation"], unchanged: 16 });
      const s = await byName();
      expect(s.get("indicator_calculation")).toMatchObject({ after_close_minutes: 320 });
      expect(s.get("weekly_backtest")).toMatchObject({ enabled: false });
      expect(s.get("mine")).toMatchObject({ from_catalogue: false });
      const audit = await db.auditLog.findFirstOrThrow({
        where: { action: "schedule.catalogue", target: "indicator_calculation" },
        orderBy: { id: "desc" },
      });
      expect(JSON.parse(audit.details as string)).toMatchObject({
        change: "change",
        fields: ["after_close_minutes"],
        before: { after_close_minutes: 300 },
        after: { after_close_minutes: 320 },
      });
      // A broken file changes nothing and says where it is broken.
      fs.writeFileSync(edited, "schedules:\n  - name: x\n    task_type: noop\n    kind: cron\n    cron: '99 * * * *'\n");
      const broken = await loadCatalogueFile(db, registry, edited);
      expect(broken.problems?.[0]).toMatchObject({ line: 5, path: "schedules.0.cron" });
    });

    it("export → import round-trips; the preview shows the diff; replace removes; every change is audited with before and after", async () => {
      const { db } = t.database;
      const exported = await call(exportSchedules, "/api/schedules/export");
      expect(exported.status).toBe(200);
      expect(exported.headers.get("content-type")).toContain("yaml");
      const yaml = await exported.text();
      expect(yaml).toContain("groups:");
      // Importing what was exported changes nothing.
      const same = await yamlPost("/api/schedules/import?dry_run=true&mode=replace", yaml);
      expect(same.status).toBe(200);
      expect(((await same.json()) as { summary: unknown }).summary).toEqual({ added: 0, changed: 0, removed: 0, unchanged: 18 });

      // A file with one new, one changed and (replace) everything else removed: previewed first, nothing written.
      const file = [
        "schedules:",
        "  - name: mine",
        "    task_type: noop",
        "    kind: interval",
        "    interval_seconds: 600",
        "  - name: brand_new",
        "    task_type: sleep",
        "    payload: { ms: 10 }",
        "    kind: cron",
        '    cron: "0 9 * * 1-5"',
        "    timezone: UTC",
      ].join("\n");
      const before = await db.schedule.count();
      const preview = await yamlPost("/api/schedules/import?dry_run=true&mode=replace", file);
      const diff = (await preview.json()) as {
        applied: boolean;
        summary: Record<string, number>;
        changes: { name: string; action: string; fields: string[] }[];
      };
      expect(diff.applied).toBe(false);
      expect(diff.summary).toEqual({ added: 1, changed: 1, removed: 17, unchanged: 0 });
      expect(diff.changes.find((c) => c.name === "mine")).toMatchObject({ action: "change", fields: ["interval_seconds"] });
      expect(await db.schedule.count()).toBe(before);

      // Merge (the default) keeps what the file does not name.
      const merged = await yamlPost("/api/schedules/import", file);
      expect(merged.status).toBe(200);
      expect(((await merged.json()) as { summary: unknown }).summary).toEqual({ added: 1, changed: 1, removed: 0, unchanged: 0 });
      expect(await db.schedule.count()).toBe(before + 1);
      const audit = await db.auditLog.findFirstOrThrow({ where: { action: "schedule.update", target: "mine" }, orderBy: { id: "desc" } });
      expect(audit.actor).toBe("cat-admin");
      expect(JSON.parse(audit.details as string)).toMatchObject({
        source: "import",
        before: { interval_seconds: 3600 },
        after: { interval_seconds: 600 },
      });

      // A multipart upload of the exported file restores the rest (replace removes brand_new).
      const form = new FormData();
      form.append("file", new Blob([yaml], { type: "application/yaml" }), "schedules.yaml");
      const restored = await call(importSchedules, "/api/schedules/import?mode=replace", { method: "POST", body: form });
      expect(restored.status).toBe(200);
      expect(((await restored.json()) as { summary: unknown }).summary).toEqual({ added: 0, changed: 1, removed: 1, unchanged: 17 });
      expect((await byName()).has("brand_new")).toBe(false);
    });

    it("an invalid file is rejected whole with the line and reason, and nothing changes", async () => {
      const { db } = t.database;
      const snapshot = async () => JSON.stringify(await db.schedule.findMany({ orderBy: { id: "asc" } }));
      const before = await snapshot();
      const audits = await db.auditLog.count();
      const cases: [string, number, string][] = [
        // a good entry first: it must not be applied either
        [
          "schedules:\n  - name: ok_one\n    task_type: noop\n    kind: interval\n    interval_seconds: 60\n  - name: bad\n    task_type: noop\n    kind: cron\n    cron: 'not a cron'\n",
          9,
          "cron",
        ],
        ["schedules:\n  - name: t\n    task_type: no_such_type\n    kind: interval\n    interval_seconds: 60\n", 3, "unknown task type"],
        ["schedules:\n  - name: t\n    task_type: sleep\n    payload: { ms: -1 }\n    kind: interval\n    interval_seconds: 60\n", 4, "ms"],
        ["schedules:\n  - name: t\n    task_type: noop\n    kind: interval\n    interval_seconds: 60\n    colour: red\n", 2, "colour"],
        [
          "schedules:\n  - name: t\n    task_type: noop\n    kind: interval\n    interval_seconds: 60\n  - name: t\n    task_type: noop\n    kind: interval\n    interval_seconds: 60\n",
          6,
          "twice",
        ],
        [
          "groups:\n  - name: g\n    mode: sequence\n    tasks:\n      - { type: noop }\n      - { type: sleep, payload: { ms: 'soon' } }\n    kind: interval\n    interval_seconds: 60\n",
          6,
          "ms",
        ],
        ["schedules: [\n  { name: a,\n", 3, ""],
        ["key: value\nkey: again\n", 2, "key"],
      ];
      for (const [text, line, words] of cases) {
        const res = await yamlPost("/api/schedules/import", text);
        const body = (await res.json()) as {
          error: { code: string; message: string; details: { problems: { line: number; message: string; path: string }[] } };
        };
        expect(res.status, text).toBe(400);
        expect(body.error.code).toBe("invalid_input");
        expect(body.error.message).toContain(`line ${line}`);
        const first = body.error.details.problems[0];
        expect(first.line, text).toBe(line);
        expect(`${first.path} ${first.message}`).toContain(words);
      }
      // Not YAML at all, and the wrong media type.
      expect(
        (await call(importSchedules, "/api/schedules/import", { method: "POST", body: "{}", headers: { "content-type": "application/json" } }))
          .status,
      ).toBe(415);
      expect((await yamlPost("/api/schedules/import", "x".repeat(1024 * 1024 + 10))).status).toBe(413);
      expect(await snapshot()).toBe(before);
      expect(await db.auditLog.count()).toBe(audits);
    });

    it("backfill: one task per trading day as one batch, with the status of every date", async () => {
      const { db } = t.database;
      const s = (await byName()).get("indicator_calculation")!;
      const id = String(s.id);
      expect(s.as_of_field).toBe("as_of");
      // 2024-09-27 (Fri) to 2024-10-09 (Wed): the National Day holiday (Oct 1–7) and the weekend are not trading days.
      const res = await call(backfill, `/api/schedules/${id}/backfill`, {
        method: "POST",
        params: { id },
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from: "2024-09-27", to: "2024-10-09" }),
      });
      expect(res.status).toBe(201);
      const { backfill: b } = (await res.json()) as { backfill: { batch_id: string; dates: { date: string; status: string }[] } };
      expect(b.dates.map((d) => d.date)).toEqual(["2024-09-27", "2024-09-30", "2024-10-08", "2024-10-09"]);
      expect(b.dates.every((d) => d.status === "queued")).toBe(true);
      const tasks = await db.task.findMany({ where: { batchId: b.batch_id }, orderBy: { id: "asc" } });
      expect(tasks.map((x) => JSON.parse(x.payload))).toEqual(b.dates.map((d) => ({ all: true, as_of: d.date })));
      expect(tasks.every((x) => x.scheduleId === id)).toBe(true);
      const grid = await call(backfills, `/api/schedules/${id}/backfills`, { params: { id } });
      expect(((await grid.json()) as { items: { counts: Record<string, number> }[] }).items[0].counts).toEqual({ queued: 4 });
      // Types without an as-of date, feeds without a URL, future and empty ranges are refused.
      const post = (sid: string, body: unknown) =>
        call(backfill, `/api/schedules/${sid}/backfill`, {
          method: "POST",
          params: { id: sid },
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const names = await byName();
      expect((await post(String(names.get("weekly_backtest")!.id), { from: "2024-01-02", to: "2024-01-05" })).status).toBe(409);
      expect((await post(String(names.get("top_list_fetch")!.id), { from: "2024-01-02", to: "2024-01-05" })).status).toBe(409);
      expect((await post(id, { from: "2099-01-02", to: "2099-01-05" })).status).toBe(400);
      expect((await post(id, { from: "2024-10-01", to: "2024-10-07" })).status).toBe(400);
      expect((await post(id, { from: "2024-10-09", to: "2024-10-01" })).status).toBe(400);
    });
  });
}
