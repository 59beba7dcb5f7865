/**
 * Alerts (告警): channels where messages go, rules that decide when, and the history of what
 * was sent. Admins manage them; secrets (robot URLs with their tokens, signing secrets, SMTP
 * passwords) are write-only — answers say which are set, never what they are.
 *
 * Over 300 lines: the channel and rule schemas, their catalogue spellings and the ten endpoints
 * are one resource; split, the endpoints would import their schemas from three files.
 */
import { z } from "zod";
import { Cursor, IdParams, Limit } from "./common";
import { CursorPage, endpoint, Ok } from "./endpoint";

export const CHANNEL_KINDS = ["webhook", "dingtalk", "wecom", "feishu", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Non-secret settings per kind (stored in alert_channels.config). */
export const ChannelConfig = z
  .object({
    /** email */
    host: z.string().min(1).max(255).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    secure: z.boolean().optional(),
    user: z.string().max(255).optional(),
    from: z.string().max(255).optional(),
    to: z.array(z.string().email().max(255)).max(50).optional(),
  })
  .strict();
export type ChannelConfig = z.infer<typeof ChannelConfig>;

/** Secret settings (stored in alert_channels.secrets, never answered). */
export const ChannelSecrets = z
  .object({
    /** webhook, dingtalk, wecom, feishu: where to POST (robot URLs carry their token). */
    url: z.string().url().max(2000).optional(),
    /** webhook HMAC key, DingTalk / Feishu signing secret. */
    secret: z.string().min(1).max(500).optional(),
    /** SMTP password. */
    password: z.string().min(1).max(500).optional(),
  })
  .strict();
export type ChannelSecrets = z.infer<typeof ChannelSecrets>;

export const RULE_KINDS = ["task_failed", "deadline", "backlog", "no_worker", "stuck_run", "restart_loop"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

const Name = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s].*$/, "must not start with a space");
const Minutes = z.number().int().min(1).max(7 * 24 * 60);

/** Each rule kind's parameters. */
export const RULE_PARAMS = {
  /** A task failed for good (attempts used up), optionally only of these types / queue / schedule / category. */
  task_failed: z
    .object({
      types: z.array(z.string().min(1).max(100)).max(50).optional(),
      queue: z.string().min(1).max(100).optional(),
      schedule: z.string().min(1).max(200).optional(),
      category: z.string().min(1).max(100).optional(),
    })
    .strict(),
  /** A schedule's slot has not succeeded by a time of day (its zone) or within minutes after the slot. */
  deadline: z
    .object({
      schedule: z.string().min(1).max(200),
      at: z
        .string()
        .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "a time of day HH:MM")
        .optional(),
      after_minutes: Minutes.optional(),
    })
    .strict()
    .refine((p) => (p.at === undefined) !== (p.after_minutes === undefined), "give either at (HH:MM) or after_minutes"),
  /** A queue's backlog above max_queued, or its oldest due task waiting longer than max_wait_minutes. */
  backlog: z
    .object({ queue: z.string().min(1).max(100), max_queued: z.number().int().min(0).max(1e9).optional(), max_wait_minutes: Minutes.optional() })
    .strict()
    .refine((p) => p.max_queued !== undefined || p.max_wait_minutes !== undefined, "give max_queued, max_wait_minutes or both"),
  /** No worker online (or none serving `queue`) for `minutes`. */
  no_worker: z.object({ minutes: Minutes.default(5), queue: z.string().min(1).max(100).optional() }).strict(),
  /** A run longer than `minutes` (optionally of one type). */
  stuck_run: z.object({ minutes: Minutes, type: z.string().min(1).max(100).optional() }).strict(),
  /** A supervised schedule's task started more than `max_restarts` times in the last hour. */
  restart_loop: z.object({ schedule: z.string().min(1).max(200).optional(), max_restarts: z.number().int().min(1).max(10_000) }).strict(),
} satisfies Record<RuleKind, z.ZodType>;

/** A rule's parameters, checked against its kind. */
export function parseRuleParams(kind: RuleKind, params: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; issues: string[] } {
  const r = RULE_PARAMS[kind].safeParse(params ?? {});
  return r.success ? { ok: true, value: r.data as Record<string, unknown> } : { ok: false, issues: r.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`) };
}

/** A channel as answered: which secrets are set, never their values. */
export const ChannelJson = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CHANNEL_KINDS),
  config: ChannelConfig,
  secrets_set: z.array(z.enum(["url", "secret", "password"])),
  destination: z.string(),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ChannelJson = z.infer<typeof ChannelJson>;

/** Secrets in a write: a value sets it, null removes it, absent leaves it. */
const SecretsWrite = z
  .object({ url: ChannelSecrets.shape.url.nullable(), secret: ChannelSecrets.shape.secret.nullable(), password: ChannelSecrets.shape.password.nullable() })
  .partial()
  .strict();

/** What an export writes in place of a secret; an import that finds it keeps the stored value. */
export const SECRET_PLACEHOLDER = "<secret>";

/** A channel in the catalogue's `alerts.channels`: a create body whose secrets may be the placeholder. */
export const CatalogueChannel = z
  .object({
    name: Name,
    kind: z.enum(CHANNEL_KINDS),
    config: ChannelConfig.default({}),
    secrets: z
      .object({
        url: z.union([z.literal(SECRET_PLACEHOLDER), ChannelSecrets.shape.url.unwrap()]),
        secret: z.union([z.literal(SECRET_PLACEHOLDER), ChannelSecrets.shape.secret.unwrap()]),
        password: z.union([z.literal(SECRET_PLACEHOLDER), ChannelSecrets.shape.password.unwrap()]),
      })
      .partial()
      .strict()
      .default({}),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CatalogueChannel = z.infer<typeof CatalogueChannel>;

export const CreateChannelBody = z
  .object({ name: Name, kind: z.enum(CHANNEL_KINDS), config: ChannelConfig.default({}), secrets: SecretsWrite.default({}), enabled: z.boolean().default(true) })
  .strict();
export const PatchChannelBody = z.object({ name: Name, config: ChannelConfig, secrets: SecretsWrite, enabled: z.boolean() }).partial().strict();

export const RuleJson = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(RULE_KINDS),
  params: z.record(z.string(), z.unknown()),
  channels: z.array(z.string()),
  min_interval_s: z.number(),
  notify_recovery: z.boolean(),
  lang: z.enum(["zh", "en"]),
  enabled: z.boolean(),
  firing: z.boolean(),
  fired_at: z.string().nullable(),
  last_sent_at: z.string().nullable(),
  state_note: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type RuleJson = z.infer<typeof RuleJson>;

const RuleFields = {
  name: Name,
  kind: z.enum(RULE_KINDS),
  params: z.record(z.string(), z.unknown()),
  channels: z.array(Name).min(1).max(20),
  min_interval_s: z.number().int().min(0).max(7 * 24 * 3600),
  notify_recovery: z.boolean(),
  lang: z.enum(["zh", "en"]),
  enabled: z.boolean(),
};
export const CreateRuleBody = z
  .object({ ...RuleFields, params: RuleFields.params.default({}), min_interval_s: RuleFields.min_interval_s.default(300), notify_recovery: RuleFields.notify_recovery.default(true), lang: RuleFields.lang.default("zh"), enabled: RuleFields.enabled.default(true) })
  .strict();
export const PatchRuleBody = z.object(RuleFields).omit({ kind: true }).partial().strict();

/** A rule in the catalogue's `alerts.rules`: exactly a create body. */
export const CatalogueRule = CreateRuleBody;
export type CatalogueRule = z.infer<typeof CatalogueRule>;

/** The catalogue's `alerts:` section. */
export const AlertsSection = z
  .object({ channels: z.array(CatalogueChannel).max(200).default([]), rules: z.array(CatalogueRule).max(500).default([]) })
  .strict();
export type AlertsSection = z.infer<typeof AlertsSection>;

/** What an import did to the alerts section. */
export const AlertsImportResult = z.object({
  summary: z.object({ added: z.number(), changed: z.number(), removed: z.number(), unchanged: z.number() }),
  changes: z.array(z.object({ section: z.enum(["channels", "rules"]), name: z.string(), action: z.enum(["add", "change", "remove"]), fields: z.array(z.string()) })),
});

export const ALERT_EVENT_KINDS = ["fire", "recover", "test"] as const;
export const AlertEventJson = z.object({
  id: z.string(),
  rule_id: z.string().nullable(),
  rule_name: z.string().nullable(),
  channel_name: z.string(),
  kind: z.enum(ALERT_EVENT_KINDS),
  title: z.string(),
  message: z.string(),
  task_id: z.string().nullable(),
  status: z.enum(["pending", "delivered", "failed"]),
  error: z.string().nullable(),
  created_at: z.string(),
  delivered_at: z.string().nullable(),
});
export type AlertEventJson = z.infer<typeof AlertEventJson>;

export const HistoryQuery = z
  .object({
    limit: Limit,
    cursor: Cursor.optional(),
    rule: z.string().min(1).max(100).optional(),
    channel: z.string().min(1).max(100).optional(),
    status: z.enum(["pending", "delivered", "failed"]).optional(),
  })
  .strict();

const tag = "alerts";

export const listChannels = endpoint({
  method: "GET",
  path: "/api/alerts/channels",
  role: "admin",
  tag,
  summary: "Alert channels (secrets: which are set, never their values)",
  response: z.object({ items: z.array(ChannelJson) }),
});
export const createChannel = endpoint({
  method: "POST",
  path: "/api/alerts/channels",
  role: "admin",
  tag,
  audit: "alert_channel.create",
  summary: "Add a channel: webhook, dingtalk, wecom, feishu or email",
  body: CreateChannelBody,
  response: z.object({ channel: ChannelJson }),
});
export const patchChannel = endpoint({
  method: "PATCH",
  path: "/api/alerts/channels/{id}",
  role: "admin",
  tag,
  audit: "alert_channel.update",
  summary: "Change a channel (a secret: a value sets it, null removes it, absent keeps it)",
  params: IdParams,
  body: PatchChannelBody,
  response: z.object({ channel: ChannelJson }),
});
export const deleteChannel = endpoint({
  method: "DELETE",
  path: "/api/alerts/channels/{id}",
  role: "admin",
  tag,
  audit: "alert_channel.delete",
  summary: "Delete a channel (rules naming it stop sending there)",
  params: IdParams,
  response: Ok,
});
export const testChannel = endpoint({
  method: "POST",
  path: "/api/alerts/channels/{id}/test",
  role: "admin",
  tag,
  audit: "alert_channel.test",
  summary: "Send a test message through the queue (a notify task); its outcome shows in the history",
  params: IdParams,
  response: z.object({ event_id: z.string(), task_id: z.string() }),
});
export const listRules = endpoint({
  method: "GET",
  path: "/api/alerts/rules",
  role: "admin",
  tag,
  summary: "Alert rules with their state",
  response: z.object({ items: z.array(RuleJson) }),
});
export const createRule = endpoint({
  method: "POST",
  path: "/api/alerts/rules",
  role: "admin",
  tag,
  audit: "alert_rule.create",
  summary: "Add a rule: task_failed, deadline, backlog, no_worker, stuck_run or restart_loop",
  body: CreateRuleBody,
  response: z.object({ rule: RuleJson }),
});
export const patchRule = endpoint({
  method: "PATCH",
  path: "/api/alerts/rules/{id}",
  role: "admin",
  tag,
  audit: "alert_rule.update",
  summary: "Change a rule",
  params: IdParams,
  body: PatchRuleBody,
  response: z.object({ rule: RuleJson }),
});
export const deleteRule = endpoint({
  method: "DELETE",
  path: "/api/alerts/rules/{id}",
  role: "admin",
  tag,
  audit: "alert_rule.delete",
  summary: "Delete a rule",
  params: IdParams,
  response: Ok,
});
export const alertHistory = endpoint({
  method: "GET",
  path: "/api/alerts/history",
  role: "admin",
  tag,
  summary: "What fired, when, to which channel, delivered or failed with the reason (newest first)",
  query: HistoryQuery,
  response: CursorPage(AlertEventJson),
});
