/**
 * Alerts end to end on both databases, with real sockets: channels and rules through the route
 * handlers; messages delivered by `notify` tasks that a real worker process runs, to local HTTP
 * receivers that check each robot's payload and signature as its documentation defines them,
 * and to a local SMTP server; grouping, throttling and recovery; the deadline rule with a
 * one-minute deadline; the condition rules; a channel that is down; three workers sending
 * exactly one message; and secrets absent from answers, the audit log and the run logs.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateAlerts } from "@/alerts/evaluate";
import { enqueue } from "@/queue/enqueue";
import { claimTasks } from "@/queue/sql/claim";
import { closeRun } from "@/queue/sql/complete";
import type { RouteHandler } from "@/server/route";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** A local receiver of robot and webhook messages: records each request; answers as `reply` says. */
async function receiver(reply: (r: Received) => { status: number; body: unknown }) {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body);
      } catch {
        /* not JSON */
      }
      const r = { path: url.pathname, query: url.searchParams, headers: req.headers, body, json };
      got.push(r);
      const out = reply(r);
      res.writeHead(out.status, { "content-type": "application/json" });
      res.end(JSON.stringify(out.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    on: (path: string) => got.filter((g) => g.path === path),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const SECRETS = { webhook: "whsec-Kq8vN2", dingtalk: "SECdingtalk-7Hx2", feishu: "feishu-sign-P0q", smtp: "smtp-pass-Zz91", wecomKey: "wecom-key-3c1f" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const hmacB64 = (key: string, msg: string) => createHmac("sha256", key).update(msg).digest("base64");

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`alerts on ${kind}`, () => {
    let t: TestDb;
    let admin = "";
    let worker: WorkerProcess;
    let rx: Awaited<ReturnType<typeof receiver>>;
    let down = true;
    const mails: { subject: string; raw: string }[] = [];
    let smtp: SMTPServer;
    let smtpPort = 0;
    const h: Record<string, RouteHandler> = {};
    const call = async (name: string, path: string, init: { method?: string; body?: unknown; params?: Record<string, string> } = {}) => {
      const res = await callRoute(h[name], path, { auth: admin, ...init });
      return { status: res.status, body: await res.json() };
    };
    const channelId = new Map<string, string>();
    const evaluate = (offsetMs = 0) => evaluateAlerts({ database: t.database, conn: t.conn, registry, now: new Date(Date.now() + offsetMs) });
    /** Ends `n` tasks of type noop on the queue nobody serves as failed for good (or succeeded). */
    const finish = async (n: number, outcome: "failed" | "succeeded", queue = "alerttest") => {
      for (let i = 0; i < n; i++) await enqueue(t.conn, registry, { type: "noop", queue, maxAttempts: 1 });
      const claimed = await claimTasks(t.conn, { workerId: "w-test", slots: { [queue]: n }, limit: n, leaseMs: 30_000 });
      for (const c of claimed)
        await closeRun(
          t.conn,
          c.id,
          c.runId,
          outcome === "failed" ? { kind: "failed", error: `boom ${c.id}\n    at stack`, retryable: false, backoffMs: 0, timedOut: false } : { kind: "succeeded", result: null },
          3,
        );
      return claimed.map((c) => c.id);
    };
    const webhookMessages = () => rx.on("/hook").filter((r) => r.json.kind !== "test");

    beforeAll(async () => {
      rx = await receiver((r) => {
        if (r.path === "/down") return down ? { status: 503, body: { error: "maintenance" } } : { status: 200, body: {} };
        if (r.path.startsWith("/robot/send")) return { status: 200, body: { errcode: 0, errmsg: "ok" } };
        if (r.path.startsWith("/cgi-bin/webhook/send")) return { status: 200, body: { errcode: 0, errmsg: "ok" } };
        if (r.path.startsWith("/open-apis/bot")) return { status: 200, body: { code: 0, msg: "success" } };
        return { status: 200, body: { ok: true } };
      });
      smtp = new SMTPServer({
        authOptional: false,
        disabledCommands: ["STARTTLS"],
        onAuth(auth, _session, cb) {
          if (auth.username === "qtask" && auth.password === SECRETS.smtp) cb(null, { user: "qtask" });
          else cb(new Error("bad credentials"));
        },
        onData(stream, _session, cb) {
          let raw = "";
          stream.on("data", (c: Buffer) => (raw += c.toString()));
          stream.on("end", () => {
            mails.push({ subject: /^Subject: (.*)$/m.exec(raw)?.[1] ?? "", raw });
            cb();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", () => r()));
      smtpPort = (smtp.server.address() as AddressInfo).port;
      t = await freshDb(kind);
      await useRouteDb(t.url);
      h.channels = (await import("@/app/api/alerts/channels/route")).POST as RouteHandler;
      h.listChannels = (await import("@/app/api/alerts/channels/route")).GET as RouteHandler;
      h.patchChannel = (await import("@/app/api/alerts/channels/[id]/route")).PATCH as RouteHandler;
      h.test = (await import("@/app/api/alerts/channels/[id]/test/route")).POST as RouteHandler;
      h.rules = (await import("@/app/api/alerts/rules/route")).POST as RouteHandler;
      h.history = (await import("@/app/api/alerts/history/route")).GET as RouteHandler;
      h.audit = (await import("@/app/api/audit/route")).GET as RouteHandler;
      admin = (await signedInUser(t.database.db, "ada", "admin")).session;
      // Delivers notify tasks; evaluates nothing itself (the tests call evaluateAlerts with their own clock).
      worker = await startWorker(t.url, { QTASK_ALERTS_MS: "0", QTASK_SCHEDULER_MS: "0", QTASK_BACKOFF_BASE_MS: "50", QTASK_BACKOFF_MAX_MS: "100" });
    }, 60_000);
    afterAll(async () => {
      await worker?.stop();
      await releaseRouteDb();
      await t?.drop();
      await rx?.close();
      await new Promise<void>((r) => smtp?.close(() => r()));
    });

    it("keeps channels' secrets write-only and refuses bad input with 400", async () => {
      const make = async (body: Record<string, unknown>) => {
        const res = await call("channels", "/api/alerts/channels", { body });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        channelId.set(body.name as string, res.body.channel.id);
        return res.body.channel;
      };
      const hook = await make({ name: "ops-hook", kind: "webhook", secrets: { url: `${rx.base}/hook`, secret: SECRETS.webhook } });
      expect(hook).toMatchObject({ secrets_set: ["url", "secret"], destination: new URL(rx.base).host });
      await make({ name: "ding", kind: "dingtalk", secrets: { url: `${rx.base}/robot/send?access_token=ding-token-55`, secret: SECRETS.dingtalk } });
      await make({ name: "wecom", kind: "wecom", secrets: { url: `${rx.base}/cgi-bin/webhook/send?key=${SECRETS.wecomKey}` } });
      await make({ name: "lark", kind: "feishu", secrets: { url: `${rx.base}/open-apis/bot/v2/hook/abc-123`, secret: SECRETS.feishu } });
      await make({ name: "mail", kind: "email", config: { host: "127.0.0.1", port: smtpPort, secure: false, user: "qtask", from: "qtask@example.com", to: ["oncall@example.com"] }, secrets: { password: SECRETS.smtp } });
      await make({ name: "flaky-hook", kind: "webhook", secrets: { url: `${rx.base}/down` } });
      const list = await call("listChannels", "/api/alerts/channels");
      const text = JSON.stringify(list.body);
      for (const s of [...Object.values(SECRETS), "ding-token-55"]) expect(text).not.toContain(s);
      expect(list.body.items.find((c: { name: string }) => c.name === "mail")).toMatchObject({ secrets_set: ["password"], config: { to: ["oncall@example.com"] } });

      // Bad input: 400 with the envelope, nothing written.
      const before = await t.database.db.alertChannel.count();
      expect((await call("channels", "/api/alerts/channels", { body: { name: "x", kind: "dingtalk" } })).status).toBe(400);
      expect((await call("channels", "/api/alerts/channels", { body: { name: "x", kind: "sms", secrets: { url: "http://a" } } })).status).toBe(400);
      expect((await call("channels", "/api/alerts/channels", { body: { name: "ops-hook", kind: "webhook", secrets: { url: "http://127.0.0.1:1/" } } })).status).toBe(409);
      expect(await t.database.db.alertChannel.count()).toBe(before);
      const badRule = await call("rules", "/api/alerts/rules", { body: { name: "r", kind: "backlog", params: { queue: "q" }, channels: ["ops-hook"] } });
      expect(badRule.status).toBe(400);
      expect(JSON.stringify(badRule.body.error)).toContain("max_queued");
      expect((await call("rules", "/api/alerts/rules", { body: { name: "r", kind: "stuck_run", params: { minutes: 5 }, channels: ["nope"] } })).status).toBe(400);
      expect(await t.database.db.alertRule.count()).toBe(0);

      // A secret changed: the answer and the audit entry name the field, never the value.
      const patched = await call("patchChannel", `/api/alerts/channels/${hook.id}`, { method: "PATCH", params: { id: hook.id }, body: { secrets: { secret: SECRETS.webhook } } });
      expect(patched.status).toBe(200);
      const audit = JSON.stringify((await call("audit", "/api/audit?limit=200")).body);
      expect(audit).toContain("alert_channel.update");
      for (const s of [...Object.values(SECRETS), "ding-token-55"]) expect(audit).not.toContain(s);
    });

    it("sends a test message to each channel in the receiver's documented format, signed", async () => {
      for (const name of ["ops-hook", "ding", "wecom", "lark", "mail"]) {
        const res = await call("test", `/api/alerts/channels/${channelId.get(name)}/test`, { params: { id: channelId.get(name)! } });
        expect(res.status).toBe(202);
      }
      await waitFor(async () => (await t.database.db.alertEvent.count({ where: { kind: "test", status: "delivered" } })) === 5, 30_000, "5 test messages delivered");
      // Webhook: HMAC-SHA256 over "<timestamp>.<body>".
      const hook = rx.on("/hook").at(-1)!;
      const ts = hook.headers["x-qtask-timestamp"] as string;
      expect(hook.headers["x-qtask-signature"]).toBe("sha256=" + createHmac("sha256", SECRETS.webhook).update(`${ts}.${hook.body}`).digest("hex"));
      expect(hook.json).toMatchObject({ kind: "test", title: expect.stringContaining("【qtask 测试】") });
      // DingTalk 加签: sign = base64(HMAC(secret, timestamp + "\n" + secret)), in the query; markdown body.
      const ding = rx.on("/robot/send").at(-1)!;
      const dts = ding.query.get("timestamp")!;
      expect(ding.query.get("access_token")).toBe("ding-token-55");
      expect(ding.query.get("sign")).toBe(hmacB64(SECRETS.dingtalk, `${dts}\n${SECRETS.dingtalk}`));
      expect(Math.abs(Number(dts) - Date.now())).toBeLessThan(60 * 60_000);
      expect(ding.json).toMatchObject({ msgtype: "markdown", markdown: { title: expect.any(String), text: expect.stringContaining("测试") } });
      // WeCom: markdown content.
      expect(rx.on("/cgi-bin/webhook/send").at(-1)!.json).toMatchObject({ msgtype: "markdown", markdown: { content: expect.stringContaining("测试") } });
      // Feishu: timestamp (s) and sign = base64(HMAC(key = timestamp + "\n" + secret, "")) in the body.
      const lark = rx.on("/open-apis/bot/v2/hook/abc-123").at(-1)!;
      expect(lark.json).toMatchObject({ msg_type: "text", content: { text: expect.stringContaining("测试") } });
      expect(lark.json.sign).toBe(hmacB64(`${lark.json.timestamp}\n${SECRETS.feishu}`, ""));
      // Email over SMTP, authenticated with the stored password.
      expect(mails.at(-1)!.raw).toContain("oncall@example.com");
      expect(mails.at(-1)!.subject).toMatch(/qtask/);
      // The notify runs' logs name the channel and its host, never a secret.
      const logs = await t.database.db.runLog.findMany({ where: { run: { task: { type: "notify" } } } });
      expect(logs.length).toBeGreaterThan(0);
      const logText = JSON.stringify(logs);
      for (const s of [...Object.values(SECRETS), "ding-token-55"]) expect(logText).not.toContain(s);
    });

    it("groups failures into one message, holds the next back for min_interval_s, and recovers", async () => {
      const rule = await call("rules", "/api/alerts/rules", {
        body: { name: "noop failures", kind: "task_failed", params: { types: ["noop"], queue: "alerttest" }, channels: ["ops-hook"], min_interval_s: 5 },
      });
      expect(rule.status, JSON.stringify(rule.body)).toBe(201);
      const ids = await finish(12, "failed");
      expect(await evaluate()).toBe(0); // younger than the 2 s settle time
      await sleep(2_100);
      expect(await evaluate()).toBe(1);
      const sentAt = Date.now();
      await waitFor(() => webhookMessages().length === 1, 20_000, "the grouped message");
      const m = webhookMessages()[0].json as { title: string; text: string; kind: string };
      expect(m.kind).toBe("fire");
      expect(m.title).toBe("【qtask 告警】noop failures：12 个 noop 任务最终失败");
      expect(m.text).toContain(`#${ids[0]} noop: boom ${ids[0]} `);
      expect(m.text).not.toContain("at stack"); // the error's first line only
      expect(m.text).toContain("…及另外 7 个");
      expect(m.text).toMatch(/http:\/\/localhost:\d+\/tasks\/runs\/\d+/);
      // Two more within min_interval_s (5 s): held back, then sent together after it.
      await finish(2, "failed");
      await sleep(2_100);
      expect(await evaluate()).toBe(0);
      await sleep(sentAt + 5_200 - Date.now());
      expect(await evaluate()).toBe(1);
      await waitFor(() => webhookMessages().length === 2, 20_000, "the second message");
      expect(webhookMessages()[1].json.title).toContain("2 个 noop 任务最终失败");
      // A success of the same kind clears it.
      await finish(1, "succeeded");
      expect(await evaluate()).toBe(1);
      await waitFor(() => webhookMessages().length === 3, 20_000, "the recovery");
      expect(webhookMessages()[2].json).toMatchObject({ kind: "recover", title: expect.stringContaining("【qtask 恢复】noop failures") });
      await t.database.db.alertRule.update({ where: { name: "noop failures" }, data: { enabled: false } });
    });

    it("alerts when a schedule's slot has not succeeded by its deadline, once per slot, and when it recovers", async () => {
      const s = await t.database.db.schedule.create({ data: { name: "hourly_sync", taskType: "noop", kind: "cron", cron: "0 * * * *", timezone: "Asia/Shanghai", nextRunAt: new Date() } });
      const rule = await call("rules", "/api/alerts/rules", {
        body: { name: "sync late", kind: "deadline", params: { schedule: "hourly_sync", after_minutes: 1 }, channels: ["wecom"], lang: "en" },
      });
      expect(rule.status, JSON.stringify(rule.body)).toBe(201);
      const before = rx.on("/cgi-bin/webhook/send").length;
      expect(await evaluate()).toBe(1);
      expect(await evaluate()).toBe(0); // the same slot: once
      await waitFor(() => rx.on("/cgi-bin/webhook/send").length === before + 1, 20_000, "the deadline message");
      const content = (rx.on("/cgi-bin/webhook/send").at(-1)!.json.markdown as { content: string }).content;
      expect(content).toMatch(/^\*\*\[qtask alert\] sync late: hourly_sync not succeeded by \d\d\/\d\d, \d\d:\d\d\*\*/);
      expect(content).toContain("No task was enqueued for this slot");
      // The slot's task succeeds (late): recovery.
      const { id } = await enqueue(t.conn, registry, { type: "noop", queue: "alerttest", scheduleId: String(s.id) });
      const [c] = await claimTasks(t.conn, { workerId: "w-test", slots: { alerttest: 1 }, limit: 1, leaseMs: 30_000 });
      expect(c.id).toBe(id);
      await closeRun(t.conn, c.id, c.runId, { kind: "succeeded", result: null }, 1);
      expect(await evaluate()).toBe(1);
      await waitFor(() => rx.on("/cgi-bin/webhook/send").length === before + 2, 20_000, "the recovery");
      expect((rx.on("/cgi-bin/webhook/send").at(-1)!.json.markdown as { content: string }).content).toContain("[qtask recovered] sync late: hourly_sync succeeded at");
      await t.database.db.alertRule.update({ where: { name: "sync late" }, data: { enabled: false } });
    });

    it("fires condition rules (backlog, no worker, stuck run) when they start to hold and recovers them", async () => {
      for (const body of [
        { name: "backlog", kind: "backlog", params: { queue: "alertq", max_queued: 3 }, channels: ["lark"], min_interval_s: 0 },
        { name: "nobody", kind: "no_worker", params: { minutes: 1, queue: "alertq" }, channels: ["lark"] },
        { name: "stuck", kind: "stuck_run", params: { minutes: 10, type: "noop" }, channels: ["lark"] },
      ])
        expect((await call("rules", "/api/alerts/rules", { body })).status).toBe(201);
      for (let i = 0; i < 5; i++) await enqueue(t.conn, registry, { type: "noop", queue: "alertq" });
      const [running] = await claimTasks(t.conn, { workerId: "w-test", slots: { alertq: 1 }, limit: 1, leaseMs: 600_000 });
      // 4 queued (> 3), nobody serves alertq, and in 11 minutes the claimed one is stuck.
      expect(await evaluate(11 * 60_000)).toBe(3);
      expect(await evaluate(11 * 60_000)).toBe(0);
      const titles = () => rx.on("/open-apis/bot/v2/hook/abc-123").map((r) => (r.json.content as { text: string }).text.split("\n")[0]);
      await waitFor(() => titles().filter((x) => x.startsWith("【qtask")).length >= 4, 20_000, "three alerts");
      expect(titles()).toEqual(
        expect.arrayContaining([
          "【qtask 告警】backlog：队列 alertq 积压 4 个任务，最早已等待 11 分钟",
          "【qtask 告警】nobody：1 分钟内没有 worker 服务队列 alertq",
          "【qtask 告警】stuck：1 个任务运行超过 10 分钟",
        ]),
      );
      // The backlog drains: it recovers (the others still hold).
      await t.database.db.task.deleteMany({ where: { queue: "alertq", status: "queued" } });
      await closeRun(t.conn, running.id, running.runId, { kind: "succeeded", result: null }, 1);
      expect(await evaluate(11 * 60_000)).toBe(2); // backlog and stuck recover
      await waitFor(() => titles().filter((x) => x.startsWith("【qtask 恢复】")).length === 2, 20_000, "two recoveries");
      await t.database.db.alertRule.updateMany({ where: { name: { in: ["backlog", "nobody", "stuck"] } }, data: { enabled: false } });
    });

    it("fires restart_loop when a supervised schedule starts too many tasks in an hour", async () => {
      const s = await t.database.db.schedule.create({ data: { name: "collector", taskType: "noop", kind: "supervised", enabled: false } });
      expect((await call("rules", "/api/alerts/rules", { body: { name: "loop", kind: "restart_loop", params: { schedule: "collector", max_restarts: 3 }, channels: ["lark"] } })).status).toBe(201);
      for (let i = 0; i < 3; i++) await enqueue(t.conn, registry, { type: "noop", queue: "alerttest", scheduleId: String(s.id) });
      expect(await evaluate()).toBe(0); // 3 starts: not more than 3
      await enqueue(t.conn, registry, { type: "noop", queue: "alerttest", scheduleId: String(s.id) });
      expect(await evaluate()).toBe(1);
      const rule = await t.database.db.alertRule.findUniqueOrThrow({ where: { name: "loop" } });
      expect(rule.firing).toBe(true);
      // An hour later the starts have aged out: it recovers.
      expect(await evaluate(3_601_000)).toBe(1);
      await t.database.db.task.deleteMany({ where: { scheduleId: String(s.id) } });
      await t.database.db.alertRule.update({ where: { name: "loop" }, data: { enabled: false } });
    });

    it("retries a channel that is down, shows why, and delivers once it is back", async () => {
      await call("rules", "/api/alerts/rules", { body: { name: "to flaky", kind: "task_failed", params: { queue: "alerttest" }, channels: ["flaky-hook"], min_interval_s: 0 } });
      await finish(1, "failed");
      await sleep(2_100);
      expect(await evaluate()).toBe(1);
      const event = await waitFor(() => t.database.db.alertEvent.findFirst({ where: { ruleName: "to flaky", error: { not: null } } }), 20_000, "a failed attempt");
      expect(event.error).toMatch(/^attempt \d\/5: HTTP 503/);
      down = false;
      const done = await waitFor(() => t.database.db.alertEvent.findFirst({ where: { id: event.id, status: "delivered" } }), 30_000, "delivery after the channel is back");
      expect(done.error).toBeNull();
      const hist = await call("history", "/api/alerts/history?rule=to%20flaky");
      expect(hist.body.items[0]).toMatchObject({ rule_name: "to flaky", channel_name: "flaky-hook", status: "delivered", kind: "fire" });
      const runs = await t.database.db.run.count({ where: { taskId: done.taskId! } });
      expect(runs).toBeGreaterThan(1);
      await t.database.db.alertRule.update({ where: { name: "to flaky" }, data: { enabled: false } });
    });

    it("exports alerts with secrets as placeholders, imports them back unchanged, and refuses a placeholder with nothing stored", async () => {
      const exp = (await import("@/app/api/schedules/export/route")).GET as RouteHandler;
      const imp = (await import("@/app/api/schedules/import/route")).POST as RouteHandler;
      const yaml = await (await callRoute(exp, "/api/schedules/export", { auth: admin })).text();
      expect(yaml).toContain("alerts:");
      expect(yaml).toMatch(/url: "?<secret>"?\n/);
      for (const s of [...Object.values(SECRETS), "ding-token-55"]) expect(yaml).not.toContain(s);
      // A viewer's export has no alerts section at all.
      const viewer = (await signedInUser(t.database.db, "vic", "viewer")).session;
      expect(await (await callRoute(exp, "/api/schedules/export", { auth: viewer })).text()).not.toContain("alerts:");
      const post = async (text: string, query = "") => {
        const res = await imp(
          new Request(`http://127.0.0.1:3000/api/schedules/import${query}`, { method: "POST", headers: { cookie: `qtask_session=${admin}`, "content-type": "application/yaml" }, body: text }),
          { params: Promise.resolve({}) },
        );
        return { status: res.status, body: await res.json() };
      };
      const same = await post(yaml);
      expect(same.status, JSON.stringify(same.body)).toBe(200);
      expect(same.body.alerts.summary).toMatchObject({ added: 0, changed: 0, removed: 0 });
      // The stored secrets survived the round trip.
      const ding = await t.database.db.alertChannel.findUniqueOrThrow({ where: { name: "ding" } });
      expect(JSON.parse(ding.secrets).secret).toBe(SECRETS.dingtalk);
      // Changes: a rule's interval, a new secret (named, not shown), a new channel.
      const edited = yaml
        .replace("min_interval_s: 5", "min_interval_s: 600")
        .replace(/(name: wecom\n\s+kind: wecom\n(?:.*\n)*?\s+url: )"?<secret>"?/, `$1"${rx.base}/cgi-bin/webhook/send?key=rotated-key-9"`);
      const preview = await post(edited, "?dry_run=true");
      expect(preview.status, JSON.stringify(preview.body)).toBe(200);
      expect(preview.body.alerts.changes).toEqual(
        expect.arrayContaining([
          { section: "rules", name: "noop failures", action: "change", fields: ["min_interval_s"] },
          { section: "channels", name: "wecom", action: "change", fields: ["secrets.url"] },
        ]),
      );
      expect(JSON.stringify(preview.body)).not.toContain("rotated-key-9");
      // A placeholder for a channel that has no stored secret: 400, nothing written.
      const bad = `${yaml}`.replace("alerts:\n  channels:\n", 'alerts:\n  channels:\n    - name: brand-new\n      kind: webhook\n      secrets:\n        url: "<secret>"\n');
      const refused = await post(bad);
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain("brand-new");
      expect(await t.database.db.alertChannel.count({ where: { name: "brand-new" } })).toBe(0);
      const audit = JSON.stringify((await call("audit", "/api/audit?limit=200")).body);
      expect(audit).not.toContain("rotated-key-9");
    });

    it("sends exactly one message for one failure with three workers evaluating", async () => {
      await worker.stop();
      await call("rules", "/api/alerts/rules", { body: { name: "once", kind: "task_failed", params: { queue: "alertonce" }, channels: ["ops-hook"], min_interval_s: 0 } });
      const env = { QTASK_ALERTS_MS: "200", QTASK_SCHEDULER_MS: "0" };
      const three = await Promise.all([startWorker(t.url, env), startWorker(t.url, env), startWorker(t.url, env)]);
      try {
        const before = webhookMessages().length;
        await finish(1, "failed", "alertonce");
        await waitFor(() => webhookMessages().length > before, 30_000, "the message");
        await new Promise((r) => setTimeout(r, 2_000)); // several more rounds of all three
        expect(webhookMessages().length).toBe(before + 1);
        expect(await t.database.db.alertEvent.count({ where: { ruleName: "once" } })).toBe(1);
      } finally {
        await Promise.all(three.map((w) => w.stop()));
      }
    });
  });
}
