/**
 * One round of alert evaluation: every enabled rule is checked against the database, and what
 * changed becomes messages — one `alert_events` row per (event, channel), each delivered by a
 * `notify` task. Exactly once however many processes evaluate: a rule's state moves only by a
 * compare-and-set (`updateMany … where` its old state), and each message's dedup key is unique.
 *
 * - task_failed groups: every failure since the rule's cursor (up to 2 s ago, so late commits
 *   are in) is one message, at most one per min_interval_s — failures meanwhile wait for the next.
 *   It recovers when a matching task succeeds after the message.
 * - deadline: per slot of the schedule; fires once when the deadline passed without a success
 *   since the slot, recovers when one arrives.
 * - backlog, no_worker, stuck_run, restart_loop are conditions: they fire when they start to
 *   hold (unless a message went out less than min_interval_s ago) and recover when they stop.
 *
 * Over 300 lines: each kind's check is a few queries and a sentence in two languages; they share
 * the firing and delivery code below and read best together.
 */
import type { AlertChannel, AlertRule } from "@/generated/sqlite/client";
import type { Database } from "@/db/client";
import { parseRuleParams, type RuleKind } from "@/contracts/alerts";
import { enqueue } from "@/queue/enqueue";
import type { Registry } from "@/queue/registry";
import type { Conn } from "@/queue/sql/executor";
import { startOfDay } from "@/domain/calendar";
import { nextSlots, timingOf } from "@/schedule/timing";
import { conditionMessage, failedMessage, firstLine, formatTime, publicUrl, runLink, type Lang } from "./messages";

/** Failures younger than this wait for the next round (their transaction may not be visible yet everywhere). */
export const SETTLE_MS = 2_000;

/** What a condition check says. */
interface Condition {
  holds: boolean;
  /** One line for the title, and detail lines. */
  summary: string;
  lines: string[];
}

/** Where notifications are enqueued and with what. */
export interface AlertDeps {
  database: Database;
  conn: Conn;
  registry: Registry;
  now?: Date;
}

/** Evaluates every enabled rule once; returns how many messages were queued. */
export async function evaluateAlerts(deps: AlertDeps): Promise<number> {
  const db = deps.database.db;
  const now = deps.now ?? new Date();
  const rules = await db.alertRule.findMany({ where: { enabled: true }, orderBy: { id: "asc" } });
  if (rules.length === 0) return requeueOrphans(deps);
  const channels = await db.alertChannel.findMany({ where: { enabled: true } });
  let queued = 0;
  for (const rule of rules) {
    const parsed = parseRuleParams(rule.kind as RuleKind, JSON.parse(rule.params));
    if (!parsed.ok) {
      await note(deps, rule, `invalid params: ${parsed.issues.join("; ")}`);
      continue;
    }
    const targets = (JSON.parse(rule.channels) as string[]).map((n) => channels.find((c) => c.name === n)).filter((c): c is AlertChannel => !!c);
    try {
      queued += await evaluateRule(deps, rule, parsed.value, targets, now);
    } catch (err) {
      await note(deps, rule, `check failed: ${(err as Error).message}`);
    }
  }
  return queued + (await requeueOrphans(deps));
}

async function note(deps: AlertDeps, rule: AlertRule, text: string): Promise<void> {
  if (rule.stateNote !== text) await deps.database.db.alertRule.update({ where: { id: rule.id }, data: { stateNote: text } });
}

async function evaluateRule(deps: AlertDeps, rule: AlertRule, params: Record<string, unknown>, targets: AlertChannel[], now: Date): Promise<number> {
  const lang = (rule.lang === "en" ? "en" : "zh") as Lang;
  switch (rule.kind as RuleKind) {
    case "task_failed":
      return taskFailed(deps, rule, params, targets, now, lang);
    case "deadline":
      return deadline(deps, rule, params, targets, now, lang);
    default: {
      const c = await checkCondition(deps, rule.kind as RuleKind, params, now, lang);
      return applyCondition(deps, rule, c, targets, now, lang);
    }
  }
}

/** Task filters of a task_failed rule as a Prisma where. */
async function failedFilter(deps: AlertDeps, params: Record<string, unknown>) {
  const p = params as { types?: string[]; queue?: string; schedule?: string; category?: string };
  const where: Record<string, unknown> = {};
  let types = p.types;
  if (p.category) {
    const inCategory = deps.registry.list().filter((d) => d.category === p.category).map((d) => d.name);
    types = types ? types.filter((t) => inCategory.includes(t)) : inCategory;
  }
  if (types) where.type = { in: types };
  if (p.queue) where.queue = p.queue;
  if (p.schedule) {
    const s = await deps.database.db.schedule.findUnique({ where: { name: p.schedule }, select: { id: true } });
    where.scheduleId = s ? String(s.id) : "-";
  }
  return where;
}

async function taskFailed(deps: AlertDeps, rule: AlertRule, params: Record<string, unknown>, targets: AlertChannel[], now: Date, lang: Lang): Promise<number> {
  const db = deps.database.db;
  const filter = await failedFilter(deps, params);
  let queued = 0;
  // Recovery first: a matching task succeeded after the failure message.
  if (rule.firing && rule.firedAt) {
    const ok = await db.task.findFirst({ where: { ...filter, status: "succeeded", finishedAt: { gt: rule.firedAt } }, orderBy: { finishedAt: "asc" } });
    if (ok) {
      const won = await db.alertRule.updateMany({ where: { id: rule.id, firing: true, firedAt: rule.firedAt }, data: { firing: false, stateNote: `recovered: #${ok.id} succeeded` } });
      if (won.count === 1 && rule.notifyRecovery) {
        const m = conditionMessage("recover", rule.name, lang, lang === "zh" ? `#${ok.id} ${ok.type} 已成功` : `#${ok.id} ${ok.type} succeeded`, [runLink({ id: ok.id, runId: ok.runId })]);
        queued += await queueMessages(deps, rule, targets, "recover", m, `recover:${rule.id}:${rule.firedAt.getTime()}`);
      }
      rule = { ...rule, firing: won.count === 1 ? false : rule.firing };
    }
  }
  const start = rule.cursorAt ?? rule.createdAt;
  const end = new Date(now.getTime() - SETTLE_MS);
  if (end <= start) return queued;
  // Within the minimum interval: let failures gather into the next message.
  if (rule.lastSentAt && now.getTime() - rule.lastSentAt.getTime() < rule.minIntervalS * 1000) return queued;
  const where = { ...filter, status: "failed", finishedAt: { gt: start, lte: end } };
  const total = await db.task.count({ where });
  const items = total ? await db.task.findMany({ where, orderBy: { finishedAt: "asc" }, take: 5, select: { id: true, type: true, error: true, runId: true } }) : [];
  const won = await db.alertRule.updateMany({
    where: { id: rule.id, cursorAt: rule.cursorAt },
    data: total ? { cursorAt: end, firing: true, firedAt: now, lastSentAt: now, stateNote: `${total} failed since ${start.toISOString()}` } : { cursorAt: end },
  });
  if (won.count !== 1 || total === 0) return queued;
  const m = failedMessage(rule.name, lang, total, items, start);
  return queued + (await queueMessages(deps, rule, targets, "fire", m, `task_failed:${rule.id}:${end.getTime()}`));
}

/** Minutes of a "HH:MM". */
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The latest (slot, deadline) of a schedule whose deadline has passed, or null. */
function lastDueSlot(timing: ReturnType<typeof timingOf>, tz: string, params: { at?: string; after_minutes?: number }, now: Date): { slot: Date; deadline: Date } | null {
  if (params.after_minutes !== undefined) {
    const latest = new Date(now.getTime() - params.after_minutes * 60_000);
    // The last slot at or before `latest`: look back a little first (a minutely schedule has
    // thousands of slots a day), further only when that finds none (a daily or weekly one).
    for (const hours of [2, 36, 8 * 24]) {
      const slot = nextSlots(timing, new Date(latest.getTime() - hours * 3600_000), 5_000)
        .filter((s) => s <= latest)
        .at(-1);
      if (slot) return { slot, deadline: new Date(slot.getTime() + params.after_minutes * 60_000) };
    }
    return null;
  }
  // A time of day in the schedule's zone: today's deadline if passed, else yesterday's.
  for (const back of [0, 1]) {
    const day = startOfDay(tz, new Date(now.getTime() - back * 24 * 3600_000));
    const deadlineAt = new Date(day.getTime() + minutesOf(params.at as string) * 60_000);
    if (deadlineAt > now) continue;
    const slot = nextSlots(timing, new Date(day.getTime() - 1), 2_000)
      .filter((s) => s >= day && s <= deadlineAt)
      .at(-1);
    // No slot that day (not a trading day, say): nothing is owed.
    return slot ? { slot, deadline: deadlineAt } : null;
  }
  return null;
}

async function deadline(deps: AlertDeps, rule: AlertRule, params: Record<string, unknown>, targets: AlertChannel[], now: Date, lang: Lang): Promise<number> {
  const db = deps.database.db;
  const p = params as { schedule: string; at?: string; after_minutes?: number };
  const schedule = await db.schedule.findUnique({ where: { name: p.schedule } });
  if (!schedule) {
    await note(deps, rule, `no schedule named ${p.schedule}`);
    return 0;
  }
  const scheduleId = String(schedule.id);
  let queued = 0;
  // Recovery: the slot it fired for has succeeded since.
  if (rule.firing && rule.cursorAt) {
    const ok = await db.task.findFirst({ where: { scheduleId, status: "succeeded", finishedAt: { gte: rule.cursorAt } }, orderBy: { finishedAt: "asc" } });
    if (ok) {
      const won = await db.alertRule.updateMany({ where: { id: rule.id, firing: true, cursorAt: rule.cursorAt }, data: { firing: false, stateNote: `slot ${rule.cursorAt.toISOString()} succeeded late` } });
      if (won.count === 1 && rule.notifyRecovery) {
        const at = formatTime(ok.finishedAt as Date, lang, schedule.timezone);
        const m = conditionMessage("recover", rule.name, lang, lang === "zh" ? `${p.schedule} 已于 ${at} 成功（晚于截止时间）` : `${p.schedule} succeeded at ${at} (after its deadline)`, [
          runLink({ id: ok.id, runId: ok.runId }),
        ]);
        queued += await queueMessages(deps, rule, targets, "recover", m, `recover:${rule.id}:${rule.cursorAt.getTime()}`);
      }
      if (won.count === 1) rule = { ...rule, firing: false };
    }
  }
  if (!schedule.enabled) return queued;
  const due = lastDueSlot(timingOf(schedule), schedule.timezone, p, now);
  if (!due || (rule.cursorAt && rule.cursorAt >= due.slot)) return queued;
  const ok = await db.task.findFirst({ where: { scheduleId, status: "succeeded", finishedAt: { gte: due.slot, lte: due.deadline } }, select: { id: true } });
  if (ok) return queued;
  const won = await db.alertRule.updateMany({
    where: { id: rule.id, cursorAt: rule.cursorAt },
    data: { cursorAt: due.slot, firing: true, firedAt: now, lastSentAt: now, stateNote: `slot ${due.slot.toISOString()} not succeeded by ${due.deadline.toISOString()}` },
  });
  if (won.count !== 1) return queued;
  const last = await db.task.findFirst({ where: { scheduleId, createdAt: { gte: new Date(due.slot.getTime() - 60_000) } }, orderBy: { id: "desc" } });
  const dl = formatTime(due.deadline, lang, schedule.timezone);
  const lines = [
    lang === "zh" ? `槽位：${formatTime(due.slot, lang, schedule.timezone)}（${schedule.timezone}）` : `Slot: ${formatTime(due.slot, lang, schedule.timezone)} (${schedule.timezone})`,
    last
      ? lang === "zh"
        ? `最近一次：#${last.id} ${last.status}${last.error ? `，${firstLine(last.error)}` : ""} ${runLink({ id: last.id, runId: last.runId })}`
        : `Latest: #${last.id} ${last.status}${last.error ? `, ${firstLine(last.error)}` : ""} ${runLink({ id: last.id, runId: last.runId })}`
      : lang === "zh"
        ? "该槽位没有任务被触发（调度器或 worker 是否在运行？）"
        : "No task was enqueued for this slot (is the scheduler / a worker running?)",
    `${publicUrl()}/schedules`,
  ];
  const m = conditionMessage("fire", rule.name, lang, lang === "zh" ? `${p.schedule} 未在 ${dl} 前成功` : `${p.schedule} not succeeded by ${dl}`, lines);
  return queued + (await queueMessages(deps, rule, targets, "fire", m, `deadline:${rule.id}:${due.slot.getTime()}`));
}

async function checkCondition(deps: AlertDeps, kind: RuleKind, params: Record<string, unknown>, now: Date, lang: Lang): Promise<Condition> {
  const db = deps.database.db;
  const zh = lang === "zh";
  switch (kind) {
    case "backlog": {
      const p = params as { queue: string; max_queued?: number; max_wait_minutes?: number };
      const queued = await db.task.count({ where: { queue: p.queue, status: "queued" } });
      const oldest = await db.task.findFirst({ where: { queue: p.queue, status: "queued", runAt: { lte: now } }, orderBy: { runAt: "asc" }, select: { runAt: true } });
      const waitMin = oldest ? (now.getTime() - oldest.runAt.getTime()) / 60_000 : 0;
      const tooMany = p.max_queued !== undefined && queued > p.max_queued;
      const tooOld = p.max_wait_minutes !== undefined && waitMin > p.max_wait_minutes;
      return {
        holds: tooMany || tooOld,
        summary: zh ? `队列 ${p.queue} 积压 ${queued} 个任务，最早已等待 ${Math.floor(waitMin)} 分钟` : `queue ${p.queue}: ${queued} queued, oldest waiting ${Math.floor(waitMin)} min`,
        lines: [
          zh ? `上限：${p.max_queued ?? "-"} 个 / ${p.max_wait_minutes ?? "-"} 分钟` : `Limits: ${p.max_queued ?? "-"} tasks / ${p.max_wait_minutes ?? "-"} min`,
          `${publicUrl()}/tasks?tab=queued&queue=${encodeURIComponent(p.queue)}`,
        ],
      };
    }
    case "no_worker": {
      const p = params as { minutes: number; queue?: string };
      const since = new Date(now.getTime() - p.minutes * 60_000);
      const workers = await db.worker.findMany({ where: { lastSeenAt: { gte: since }, stoppedAt: null }, select: { id: true, queues: true } });
      const serving = p.queue ? workers.filter((w) => w.queues.split(",").some((q) => q.split(":")[0] === p.queue)) : workers;
      return {
        holds: serving.length === 0,
        summary: p.queue
          ? zh
            ? `${p.minutes} 分钟内没有 worker 服务队列 ${p.queue}`
            : `no worker serving queue ${p.queue} for ${p.minutes} min`
          : zh
            ? `${p.minutes} 分钟内没有在线的 worker`
            : `no worker online for ${p.minutes} min`,
        lines: [zh ? `在线 worker：${workers.length}` : `Workers online: ${workers.length}`, `${publicUrl()}/tasks`],
      };
    }
    case "stuck_run": {
      const p = params as { minutes: number; type?: string };
      const where = { status: "running", startedAt: { lt: new Date(now.getTime() - p.minutes * 60_000) }, ...(p.type ? { type: p.type } : {}) };
      const total = await db.task.count({ where });
      const items = await db.task.findMany({ where, orderBy: { startedAt: "asc" }, take: 5, select: { id: true, type: true, runId: true, startedAt: true } });
      return {
        holds: total > 0,
        summary: zh ? `${total} 个任务运行超过 ${p.minutes} 分钟` : `${total} run(s) longer than ${p.minutes} min`,
        lines: items.map((i) => `- #${i.id} ${i.type} ${zh ? "开始于" : "started"} ${formatTime(i.startedAt as Date, lang)} ${runLink(i)}`),
      };
    }
    case "restart_loop": {
      const p = params as { schedule?: string; max_restarts: number };
      const schedules = await db.schedule.findMany({ where: { kind: "supervised", ...(p.schedule ? { name: p.schedule } : {}) }, select: { id: true, name: true } });
      const hourAgo = new Date(now.getTime() - 3600_000);
      const over: string[] = [];
      for (const s of schedules) {
        const starts = await db.task.count({ where: { scheduleId: String(s.id), createdAt: { gte: hourAgo } } });
        if (starts > p.max_restarts) over.push(`${s.name}: ${starts}`);
      }
      return {
        holds: over.length > 0,
        summary: zh ? `常驻任务一小时内重启超过 ${p.max_restarts} 次` : `supervised task restarted more than ${p.max_restarts} times in an hour`,
        lines: [...over.map((o) => `- ${o}`), `${publicUrl()}/schedules`],
      };
    }
    default:
      throw new Error(`not a condition rule: ${kind}`);
  }
}

async function applyCondition(deps: AlertDeps, rule: AlertRule, c: Condition, targets: AlertChannel[], now: Date, lang: Lang): Promise<number> {
  const db = deps.database.db;
  if (c.holds && !rule.firing) {
    if (rule.lastSentAt && now.getTime() - rule.lastSentAt.getTime() < rule.minIntervalS * 1000) {
      await note(deps, rule, `holds, held back by min_interval_s: ${c.summary}`);
      return 0;
    }
    const won = await db.alertRule.updateMany({ where: { id: rule.id, firing: false }, data: { firing: true, firedAt: now, lastSentAt: now, stateNote: c.summary } });
    if (won.count !== 1) return 0;
    return queueMessages(deps, rule, targets, "fire", conditionMessage("fire", rule.name, lang, c.summary, c.lines), `${rule.kind}:${rule.id}:${now.getTime()}`);
  }
  if (!c.holds && rule.firing && rule.firedAt) {
    const won = await db.alertRule.updateMany({ where: { id: rule.id, firing: true, firedAt: rule.firedAt }, data: { firing: false, stateNote: null } });
    if (won.count !== 1 || !rule.notifyRecovery) return 0;
    const m = conditionMessage("recover", rule.name, lang, lang === "zh" ? "已恢复" : "cleared", [c.summary]);
    return queueMessages(deps, rule, targets, "recover", m, `recover:${rule.id}:${rule.firedAt.getTime()}`);
  }
  if (c.holds) await note(deps, rule, c.summary);
  return 0;
}

/** Makes one alert event per channel (unique by key) and its notify task; returns how many were new. */
export async function queueMessages(
  deps: AlertDeps,
  rule: AlertRule | null,
  targets: AlertChannel[],
  kind: "fire" | "recover" | "test",
  m: { title: string; text: string },
  key: string,
): Promise<number> {
  let n = 0;
  for (const ch of targets) {
    const event = await deps.database.db.alertEvent
      .create({ data: { ruleId: rule?.id ?? null, ruleName: rule?.name ?? null, channelId: ch.id, channelName: ch.name, kind, dedupKey: `${key}:ch${ch.id}`, title: m.title, message: m.text } })
      .catch((err: { code?: string }) => {
        if (err.code === "P2002") return null; // another process made it: sent once
        throw err;
      });
    if (!event) continue;
    await enqueueNotify(deps, event.id);
    n++;
  }
  return n;
}

/** The notify task of an event (idempotent per event). */
export async function enqueueNotify(deps: Pick<AlertDeps, "database" | "conn" | "registry">, eventId: number): Promise<number> {
  const { id } = await enqueue(deps.conn, deps.registry, { type: "notify", payload: { event_id: String(eventId) }, idempotencyKey: `alert-event-${eventId}` });
  await deps.database.db.alertEvent.update({ where: { id: eventId }, data: { taskId: id } });
  return id;
}

/** Events whose notify task was never enqueued (the process stopped in between): enqueue them now. */
async function requeueOrphans(deps: AlertDeps): Promise<number> {
  const orphans = await deps.database.db.alertEvent.findMany({ where: { taskId: null, status: "pending", createdAt: { lt: new Date(Date.now() - 30_000) } }, take: 100 });
  for (const o of orphans) await enqueueNotify(deps, o.id);
  return orphans.length;
}
