/**
 * The alert endpoints' verbs (admin): channels (secrets write-only), rules (params checked
 * against their kind, channels must exist), a test message through the queue, and the history.
 * Audit entries name what changed, never a secret.
 */
import type { AlertChannel, AlertEvent, AlertRule } from "@/generated/sqlite/client";
import { destinationOf, type ChannelKind, type ChannelSecrets } from "@/alerts/channels";
import { enqueueNotify } from "@/alerts/evaluate";
import { testMessage } from "@/alerts/messages";
import {
  parseRuleParams,
  type alertHistory,
  type AlertEventJson,
  type ChannelJson,
  type createChannel,
  type createRule,
  type deleteChannel,
  type deleteRule,
  type listChannels,
  type listRules,
  type patchChannel,
  type patchRule,
  type RuleJson,
  type RuleKind,
  type testChannel,
} from "@/contracts/alerts";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";

/** The secrets a channel kind can use. */
const SECRET_KEYS = ["url", "secret", "password"] as const;

/** A channel as answered: which secrets are set, never their values. */
export function channelJson(c: AlertChannel): ChannelJson {
  const secrets = JSON.parse(c.secrets) as ChannelSecrets;
  const config = JSON.parse(c.config);
  return {
    id: String(c.id),
    name: c.name,
    kind: c.kind as ChannelKind,
    config,
    secrets_set: SECRET_KEYS.filter((k) => !!secrets[k]),
    destination: destinationOf({ name: c.name, kind: c.kind as ChannelKind, config, secrets }),
    enabled: c.enabled,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

/** A rule as answered. */
export function ruleJson(r: AlertRule): RuleJson {
  return {
    id: String(r.id),
    name: r.name,
    kind: r.kind as RuleKind,
    params: JSON.parse(r.params),
    channels: JSON.parse(r.channels),
    min_interval_s: r.minIntervalS,
    notify_recovery: r.notifyRecovery,
    lang: r.lang === "en" ? "en" : "zh",
    enabled: r.enabled,
    firing: r.firing,
    fired_at: r.firedAt?.toISOString() ?? null,
    last_sent_at: r.lastSentAt?.toISOString() ?? null,
    state_note: r.stateNote,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

function eventJson(e: AlertEvent): AlertEventJson {
  return {
    id: String(e.id),
    rule_id: e.ruleId === null ? null : String(e.ruleId),
    rule_name: e.ruleName,
    channel_name: e.channelName,
    kind: e.kind as AlertEventJson["kind"],
    title: e.title,
    message: e.message,
    task_id: e.taskId === null ? null : String(e.taskId),
    status: e.status as AlertEventJson["status"],
    error: e.error,
    created_at: e.createdAt.toISOString(),
    delivered_at: e.deliveredAt?.toISOString() ?? null,
  };
}

/** Checks what a channel of `kind` needs to send anything. */
function checkChannel(kind: ChannelKind, config: { host?: string; to?: string[] }, secrets: ChannelSecrets): void {
  if (kind === "email") {
    if (!config.host || !config.to?.length) throw new HttpError("invalid_input", "an email channel needs config.host and config.to (recipients)");
    return;
  }
  if (!secrets.url) throw new HttpError("invalid_input", `a ${kind} channel needs secrets.url (the ${kind === "webhook" ? "webhook" : "robot's webhook"} URL)`);
  const u = new URL(secrets.url);
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new HttpError("invalid_input", "secrets.url must be http or https");
}

/** Applies a secrets write: a value sets, null removes, absent keeps. */
function mergeSecrets(old: ChannelSecrets, write: Partial<Record<(typeof SECRET_KEYS)[number], string | null>>): ChannelSecrets {
  const out: ChannelSecrets = { ...old };
  for (const k of SECRET_KEYS) {
    if (write[k] === null) delete out[k];
    else if (write[k] !== undefined) out[k] = write[k] as string;
  }
  return out;
}

const conflict = (what: string) => (err: { code?: string }) => {
  if (err.code === "P2002") throw new HttpError("conflict", `${what} already exists`);
  throw err;
};

export async function channels(_: Input<typeof listChannels>): Promise<Output<typeof listChannels>> {
  const { database } = await getQueue();
  return { json: { items: (await database.db.alertChannel.findMany({ orderBy: { id: "asc" } })).map(channelJson) } };
}

export async function addChannel({ body }: Input<typeof createChannel>): Promise<Output<typeof createChannel>> {
  const secrets = mergeSecrets({}, body.secrets);
  checkChannel(body.kind, body.config, secrets);
  const { database } = await getQueue();
  const c = await database.db.alertChannel
    .create({ data: { name: body.name, kind: body.kind, config: JSON.stringify(body.config), secrets: JSON.stringify(secrets), enabled: body.enabled } })
    .catch(conflict(`a channel named ${body.name}`));
  return { status: 201, json: { channel: channelJson(c) }, audit: { target: `alert_channel:${c.name}`, details: { kind: c.kind, secrets_set: channelJson(c).secrets_set } } };
}

export async function updateChannel({ params, body }: Input<typeof patchChannel>): Promise<Output<typeof patchChannel>> {
  const { database } = await getQueue();
  const old = await database.db.alertChannel.findUnique({ where: { id: params.id } });
  if (!old) throw new HttpError("not_found", `alert channel ${params.id} not found`);
  const config = body.config ?? JSON.parse(old.config);
  const secrets = mergeSecrets(JSON.parse(old.secrets), body.secrets ?? {});
  checkChannel(old.kind as ChannelKind, config, secrets);
  const c = await database.db.alertChannel
    .update({ where: { id: params.id }, data: { name: body.name, enabled: body.enabled, config: JSON.stringify(config), secrets: JSON.stringify(secrets) } })
    .catch(conflict(`a channel named ${body.name}`));
  if (body.name && body.name !== old.name) await renameInRules(old.name, body.name);
  const changed = [...Object.keys(body).filter((k) => k !== "secrets"), ...Object.keys(body.secrets ?? {}).map((k) => `secrets.${k}`)];
  return { json: { channel: channelJson(c) }, audit: { target: `alert_channel:${c.name}`, details: { changed } } };
}

/** Rules name channels: a renamed channel keeps its rules. */
async function renameInRules(from: string, to: string): Promise<void> {
  const { database } = await getQueue();
  for (const r of await database.db.alertRule.findMany()) {
    const names = JSON.parse(r.channels) as string[];
    if (names.includes(from)) await database.db.alertRule.update({ where: { id: r.id }, data: { channels: JSON.stringify(names.map((n) => (n === from ? to : n))) } });
  }
}

export async function removeChannel({ params }: Input<typeof deleteChannel>): Promise<Output<typeof deleteChannel>> {
  const { database } = await getQueue();
  const c = await database.db.alertChannel.findUnique({ where: { id: params.id } });
  if (!c) throw new HttpError("not_found", `alert channel ${params.id} not found`);
  await database.db.alertChannel.delete({ where: { id: params.id } });
  return { json: { ok: true }, audit: { target: `alert_channel:${c.name}` } };
}

export async function sendTest({ params }: Input<typeof testChannel>): Promise<Output<typeof testChannel>> {
  const { database, conn } = await getQueue();
  const c = await database.db.alertChannel.findUnique({ where: { id: params.id } });
  if (!c) throw new HttpError("not_found", `alert channel ${params.id} not found`);
  const m = testMessage(c.name);
  const event = await database.db.alertEvent.create({
    data: { channelId: c.id, channelName: c.name, kind: "test", dedupKey: `test:${c.id}:${Date.now()}:${Math.random().toString(36).slice(2, 8)}`, title: m.title, message: m.text },
  });
  const taskId = await enqueueNotify({ database, conn, registry }, event.id);
  return { status: 202, json: { event_id: String(event.id), task_id: String(taskId) }, audit: { target: `alert_channel:${c.name}` } };
}

export async function rules(_: Input<typeof listRules>): Promise<Output<typeof listRules>> {
  const { database } = await getQueue();
  return { json: { items: (await database.db.alertRule.findMany({ orderBy: { id: "asc" } })).map(ruleJson) } };
}

/** Checks a rule's params against its kind and that its channels exist. */
async function checkRule(kind: RuleKind, params: unknown, channelNames: string[]): Promise<Record<string, unknown>> {
  const parsed = parseRuleParams(kind, params);
  if (!parsed.ok) throw new HttpError("invalid_input", `invalid params for a ${kind} rule`, { issues: parsed.issues });
  const { database } = await getQueue();
  const known = new Set((await database.db.alertChannel.findMany({ select: { name: true } })).map((c) => c.name));
  const missing = channelNames.filter((n) => !known.has(n));
  if (missing.length) throw new HttpError("invalid_input", `no alert channel named ${missing.join(", ")}`);
  const p = parsed.value as { schedule?: string };
  if (p.schedule && !(await database.db.schedule.findUnique({ where: { name: p.schedule }, select: { id: true } })))
    throw new HttpError("invalid_input", `no schedule named ${p.schedule}`);
  return parsed.value;
}

export async function addRule({ body }: Input<typeof createRule>): Promise<Output<typeof createRule>> {
  const params = await checkRule(body.kind, body.params, body.channels);
  const { database } = await getQueue();
  const r = await database.db.alertRule
    .create({
      data: {
        name: body.name,
        kind: body.kind,
        params: JSON.stringify(params),
        channels: JSON.stringify(body.channels),
        minIntervalS: body.min_interval_s,
        notifyRecovery: body.notify_recovery,
        lang: body.lang,
        enabled: body.enabled,
        // Failures before the rule existed are not news.
        cursorAt: body.kind === "task_failed" ? new Date() : null,
      },
    })
    .catch(conflict(`a rule named ${body.name}`));
  return { status: 201, json: { rule: ruleJson(r) }, audit: { target: `alert_rule:${r.name}`, details: { kind: r.kind, params, channels: body.channels } } };
}

export async function updateRule({ params, body }: Input<typeof patchRule>): Promise<Output<typeof patchRule>> {
  const { database } = await getQueue();
  const old = await database.db.alertRule.findUnique({ where: { id: params.id } });
  if (!old) throw new HttpError("not_found", `alert rule ${params.id} not found`);
  const ruleParams = await checkRule(old.kind as RuleKind, body.params ?? JSON.parse(old.params), body.channels ?? JSON.parse(old.channels));
  const r = await database.db.alertRule
    .update({
      where: { id: params.id },
      data: {
        name: body.name,
        params: JSON.stringify(ruleParams),
        channels: body.channels ? JSON.stringify(body.channels) : undefined,
        minIntervalS: body.min_interval_s,
        notifyRecovery: body.notify_recovery,
        lang: body.lang,
        enabled: body.enabled,
      },
    })
    .catch(conflict(`a rule named ${body.name}`));
  return { json: { rule: ruleJson(r) }, audit: { target: `alert_rule:${r.name}`, details: { changed: Object.keys(body) } } };
}

export async function removeRule({ params }: Input<typeof deleteRule>): Promise<Output<typeof deleteRule>> {
  const { database } = await getQueue();
  const r = await database.db.alertRule.findUnique({ where: { id: params.id } });
  if (!r) throw new HttpError("not_found", `alert rule ${params.id} not found`);
  await database.db.alertRule.delete({ where: { id: params.id } });
  return { json: { ok: true }, audit: { target: `alert_rule:${r.name}` } };
}

export async function history({ query }: Input<typeof alertHistory>): Promise<Output<typeof alertHistory>> {
  const { database } = await getQueue();
  const rows = await database.db.alertEvent.findMany({
    where: {
      ...(query.cursor ? { id: { lt: Number(query.cursor) } } : {}),
      ...(query.rule ? { ruleName: query.rule } : {}),
      ...(query.channel ? { channelName: query.channel } : {}),
      ...(query.status ? { status: query.status } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const items = rows.slice(0, query.limit);
  return { json: { items: items.map(eventJson), next_cursor: rows.length > query.limit ? String(items[items.length - 1].id) : null } };
}
