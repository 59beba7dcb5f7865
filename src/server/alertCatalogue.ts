/**
 * The catalogue's `alerts:` section (config/tasks.yaml, export and import), beside schedules:
 *
 *   alerts:
 *     channels:
 *       - { name: ops-ding, kind: dingtalk, secrets: { url: "<secret>", secret: "<secret>" } }
 *     rules:
 *       - { name: nav late, kind: deadline, params: { schedule: daily_nav_sync, at: "21:00" }, channels: [ops-ding] }
 *
 * Export writes `<secret>` for every secret that is set; an import (or the file) that has
 * `<secret>` keeps the stored value, a real value replaces it. So an export can be edited and
 * imported back without ever carrying a secret, and the diff names a changed secret by its key
 * only. Audit entries list what changed, never a value.
 */
import type { AlertChannel, AlertRule } from "@/generated/sqlite/client";
import type { Db } from "@/db/client";
import { SECRET_PLACEHOLDER, type AlertsSection, type CatalogueChannel } from "@/contracts/alerts";
import type { Principal } from "./auth/principal";
import { recordAudit } from "./auth/audit";
import { canonical } from "./schedule/catalogue";
import { ruleJson } from "./alerts";
import { HttpError } from "./errors";

/** One change of the section. */
export interface AlertChange {
  section: "channels" | "rules";
  name: string;
  action: "add" | "change" | "remove";
  fields: string[];
}

/** What an import or a start would do: the changes and what they write. */
export interface AlertPlan {
  changes: AlertChange[];
  unchanged: number;
  channelWrites: { name: string; data: Omit<AlertChannel, "id" | "createdAt" | "updatedAt"> | null }[];
  ruleWrites: { name: string; data: Partial<AlertRule> | null }[];
}

const SECRET_KEYS = ["url", "secret", "password"] as const;

/** Every channel and rule as a section, secrets as the placeholder. */
export async function exportAlerts(db: Db): Promise<AlertsSection> {
  const [channels, rules] = await Promise.all([db.alertChannel.findMany({ orderBy: { id: "asc" } }), db.alertRule.findMany({ orderBy: { id: "asc" } })]);
  return {
    channels: channels.map((c) => {
      const secrets = JSON.parse(c.secrets) as Record<string, string>;
      return {
        name: c.name,
        kind: c.kind as CatalogueChannel["kind"],
        config: JSON.parse(c.config),
        secrets: Object.fromEntries(SECRET_KEYS.filter((k) => secrets[k]).map((k) => [k, SECRET_PLACEHOLDER])),
        enabled: c.enabled,
      };
    }),
    rules: rules.map((r) => {
      // The rule as answered, without its id, state and times: the create body it was made from.
      const { id: _id, firing: _f, fired_at: _fa, last_sent_at: _ls, state_note: _sn, created_at: _c, updated_at: _u, ...spec } = ruleJson(r);
      return spec;
    }),
  };
}

/** Compares a section with the database; `prune` also removes what the section does not name. */
export async function planAlerts(db: Db, section: AlertsSection, opts: { prune: boolean }): Promise<AlertPlan> {
  const plan: AlertPlan = { changes: [], unchanged: 0, channelWrites: [], ruleWrites: [] };
  const storedChannels = new Map((await db.alertChannel.findMany()).map((c) => [c.name, c]));
  const storedRules = new Map((await db.alertRule.findMany()).map((r) => [r.name, r]));
  for (const c of section.channels) {
    const old = storedChannels.get(c.name);
    const oldSecrets = old ? (JSON.parse(old.secrets) as Record<string, string>) : {};
    const secrets: Record<string, string> = {};
    const fields: string[] = [];
    for (const k of SECRET_KEYS) {
      const v = c.secrets[k];
      if (v === SECRET_PLACEHOLDER) {
        if (!oldSecrets[k]) throw new HttpError("invalid_input", `alerts.channels ${c.name}: secrets.${k} is "${SECRET_PLACEHOLDER}" (keep the stored value) but none is stored`);
        secrets[k] = oldSecrets[k];
      } else if (v !== undefined) secrets[k] = v;
      if ((secrets[k] ?? null) !== (oldSecrets[k] ?? null)) fields.push(`secrets.${k}`);
    }
    if (c.kind === "email" ? !c.config.host || !c.config.to?.length : !secrets.url)
      throw new HttpError("invalid_input", `alerts.channels ${c.name}: ${c.kind === "email" ? "config.host and config.to are required" : "secrets.url is required"}`);
    if (old) {
      if (old.kind !== c.kind) fields.push("kind");
      if (canonical(JSON.parse(old.config)) !== canonical(c.config)) fields.push("config");
      if (old.enabled !== c.enabled) fields.push("enabled");
    }
    const data = { name: c.name, kind: c.kind, config: JSON.stringify(c.config), secrets: JSON.stringify(secrets), enabled: c.enabled };
    if (!old) plan.changes.push({ section: "channels", name: c.name, action: "add", fields: [] });
    else if (fields.length) plan.changes.push({ section: "channels", name: c.name, action: "change", fields });
    else {
      plan.unchanged++;
      continue;
    }
    plan.channelWrites.push({ name: c.name, data });
  }
  const channelNames = new Set([...section.channels.map((c) => c.name), ...(opts.prune ? [] : storedChannels.keys())]);
  for (const r of section.rules) {
    const missing = r.channels.filter((n) => !channelNames.has(n));
    if (missing.length) throw new HttpError("invalid_input", `alerts.rules ${r.name}: no channel named ${missing.join(", ")}`);
    const old = storedRules.get(r.name);
    const data = {
      name: r.name,
      kind: r.kind,
      params: JSON.stringify(r.params),
      channels: JSON.stringify(r.channels),
      minIntervalS: r.min_interval_s,
      notifyRecovery: r.notify_recovery,
      lang: r.lang,
      enabled: r.enabled,
    };
    if (!old) {
      plan.changes.push({ section: "rules", name: r.name, action: "add", fields: [] });
      plan.ruleWrites.push({ name: r.name, data: { ...data, cursorAt: r.kind === "task_failed" ? new Date() : null } });
      continue;
    }
    const fields = (
      [
        ["kind", old.kind, r.kind],
        ["params", canonical(JSON.parse(old.params)), canonical(r.params)],
        ["channels", old.channels, JSON.stringify(r.channels)],
        ["min_interval_s", old.minIntervalS, r.min_interval_s],
        ["notify_recovery", old.notifyRecovery, r.notify_recovery],
        ["lang", old.lang, r.lang],
        ["enabled", old.enabled, r.enabled],
      ] as const
    )
      .filter(([, a, b]) => a !== b)
      .map(([f]) => f as string);
    if (fields.length === 0) plan.unchanged++;
    else {
      plan.changes.push({ section: "rules", name: r.name, action: "change", fields });
      // A new kind starts from a clean state.
      plan.ruleWrites.push({ name: r.name, data: fields.includes("kind") ? { ...data, firing: false, firedAt: null, cursorAt: r.kind === "task_failed" ? new Date() : null } : data });
    }
  }
  if (opts.prune) {
    for (const name of storedRules.keys())
      if (!section.rules.some((r) => r.name === name)) {
        plan.changes.push({ section: "rules", name, action: "remove", fields: [] });
        plan.ruleWrites.push({ name, data: null });
      }
    for (const name of storedChannels.keys())
      if (!section.channels.some((c) => c.name === name)) {
        plan.changes.push({ section: "channels", name, action: "remove", fields: [] });
        plan.channelWrites.push({ name, data: null });
      }
  }
  return plan;
}

/** Applies a plan in one transaction, then audits each change (names and fields only). */
export async function applyAlerts(
  db: Db,
  plan: AlertPlan,
  audit: { principal: Principal | null; actor?: string; ip?: string; userAgent?: string | null; source: string },
): Promise<void> {
  if (plan.changes.length === 0) return;
  await db.$transaction(
    async (tx) => {
      for (const w of plan.channelWrites) {
        if (w.data === null) await tx.alertChannel.delete({ where: { name: w.name } });
        else await tx.alertChannel.upsert({ where: { name: w.name }, create: w.data, update: w.data });
      }
      for (const w of plan.ruleWrites) {
        if (w.data === null) await tx.alertRule.delete({ where: { name: w.name } });
        else await tx.alertRule.upsert({ where: { name: w.name }, create: w.data as AlertRule, update: w.data });
      }
    },
    { maxWait: 30_000, timeout: 60_000 },
  );
  for (const c of plan.changes)
    await recordAudit(db, {
      principal: audit.principal,
      actor: audit.actor,
      action: c.section === "channels" ? "alert_channel.import" : "alert_rule.import",
      target: `${c.section === "channels" ? "alert_channel" : "alert_rule"}:${c.name}`,
      details: { source: audit.source, change: c.action, fields: c.fields },
      ip: audit.ip,
      userAgent: audit.userAgent,
    });
}

/** The plan as the import answer shows it. */
export function alertsResult(plan: AlertPlan) {
  const count = (a: string) => plan.changes.filter((c) => c.action === a).length;
  return { summary: { added: count("add"), changed: count("change"), removed: count("remove"), unchanged: plan.unchanged }, changes: plan.changes };
}
