/**
 * Sending one alert message to one channel, in the format and with the signature each
 * receiver's documentation defines:
 * - webhook: JSON POST; with a secret, `X-Qtask-Signature: sha256=<hex HMAC-SHA256 of
 *   "<timestamp>.<body>">` and `X-Qtask-Timestamp` (seconds), so a receiver can refuse replays;
 * - DingTalk robot (加签): `timestamp` (ms) and `sign` = base64(HMAC-SHA256(secret,
 *   "<timestamp>\n<secret>")), URL-encoded, appended to the robot URL; markdown message;
 * - WeCom (企业微信) robot: markdown message to the robot URL (its key is the secret);
 * - Feishu/Lark robot: `timestamp` (s) and `sign` = base64(HMAC-SHA256 keyed with
 *   "<timestamp>\n<secret>" over an empty message) in the body; text message;
 * - email: SMTP through nodemailer.
 * A robot that answers HTTP 200 with a non-zero `errcode`/`code` failed, and says why.
 * Every error is scrubbed of the channel's secrets before anyone sees it (run log, history).
 */
import { createHmac } from "node:crypto";
import nodemailer from "nodemailer";
import type { ChannelConfig, ChannelKind, ChannelSecrets } from "@/contracts/alerts";

export type { ChannelConfig, ChannelKind, ChannelSecrets };

/** A channel as the sender needs it. */
export interface Channel {
  name: string;
  kind: ChannelKind;
  config: ChannelConfig;
  secrets: ChannelSecrets;
}

/** One message: a title, the text (markdown-light: lines, links as plain URLs), and what it is about. */
export interface AlertMessage {
  title: string;
  text: string;
  /** fire | recover | test */
  kind: string;
  rule: string | null;
  /** The dedup key: the same event has the same key on every retry. */
  key: string;
  at: string;
}

/** The webhook's signature of a body at a time (seconds). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** DingTalk's 加签: sign of a timestamp in ms. */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

/** Feishu's signature of a timestamp in seconds (the key is "timestamp\nsecret", the message empty). */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac("sha256", `${timestampS}\n${secret}`).update("").digest("base64");
}

/** Removes every secret value of the channel from a text (errors can quote URLs). */
export function scrub(text: string, secrets: ChannelSecrets): string {
  let out = text;
  for (const v of Object.values(secrets)) if (v && v.length >= 4) out = out.split(v).join("***");
  // A robot URL's query (its token) even when quoted in another spelling.
  return out.replace(/([?&](?:access_token|key|token)=)[^&\s"']+/gi, "$1***");
}

/** Where a channel sends, for display and logs: its host, never its token. */
export function destinationOf(c: Channel): string {
  if (c.kind === "email") return `${(c.config.to ?? []).join(", ")} via ${c.config.host ?? "?"}`;
  try {
    return new URL(c.secrets.url ?? "").host;
  } catch {
    return "?";
  }
}

const TIMEOUT_MS = 15_000;

async function post(url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
    body,
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]) : AbortSignal.timeout(TIMEOUT_MS),
    redirect: "error",
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Robots answer 200 with an error code in the body. */
function robotOk(reply: unknown, what: string): void {
  const r = (reply ?? {}) as { errcode?: number; errmsg?: string; code?: number; msg?: string; StatusCode?: number };
  const code = r.errcode ?? r.code ?? r.StatusCode ?? 0;
  if (code !== 0) throw new Error(`${what} refused the message: ${code} ${r.errmsg ?? r.msg ?? ""}`.trim());
}

/** Sends `m` to `c`; throws (with secrets scrubbed) when it was not accepted. */
export async function sendAlert(c: Channel, m: AlertMessage, signal?: AbortSignal): Promise<void> {
  try {
    await deliver(c, m, signal);
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    throw new Error(scrub(`${e.message}${e.cause?.message ? ` (${e.cause.message})` : ""}`, c.secrets));
  }
}

async function deliver(c: Channel, m: AlertMessage, signal?: AbortSignal): Promise<void> {
  const url = c.secrets.url;
  if (c.kind !== "email" && !url) throw new Error(`channel ${c.name} has no URL`);
  switch (c.kind) {
    case "webhook": {
      const body = JSON.stringify({ title: m.title, text: m.text, kind: m.kind, rule: m.rule, key: m.key, at: m.at });
      const ts = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = { "x-qtask-timestamp": String(ts) };
      if (c.secrets.secret) headers["x-qtask-signature"] = webhookSignature(c.secrets.secret, ts, body);
      await post(url!, body, headers, signal);
      return;
    }
    case "dingtalk": {
      let target = url!;
      if (c.secrets.secret) {
        const ts = Date.now();
        const u = new URL(target);
        u.searchParams.set("timestamp", String(ts));
        u.searchParams.set("sign", dingtalkSign(c.secrets.secret, ts));
        target = u.toString();
      }
      const body = JSON.stringify({ msgtype: "markdown", markdown: { title: m.title, text: `#### ${m.title}\n\n${m.text.replace(/\n/g, "\n\n")}` } });
      robotOk(await post(target, body, {}, signal), "DingTalk");
      return;
    }
    case "wecom": {
      const body = JSON.stringify({ msgtype: "markdown", markdown: { content: `**${m.title}**\n${m.text}` } });
      robotOk(await post(url!, body, {}, signal), "WeCom");
      return;
    }
    case "feishu": {
      const payload: Record<string, unknown> = { msg_type: "text", content: { text: `${m.title}\n${m.text}` } };
      if (c.secrets.secret) {
        const ts = Math.floor(Date.now() / 1000);
        payload.timestamp = String(ts);
        payload.sign = feishuSign(c.secrets.secret, ts);
      }
      robotOk(await post(url!, JSON.stringify(payload), {}, signal), "Feishu");
      return;
    }
    case "email": {
      const { host, port = 587, secure = false, user, from, to } = c.config;
      if (!host || !to?.length) throw new Error(`channel ${c.name} needs an SMTP host and recipients`);
      const transport = nodemailer.createTransport({
        host,
        port,
        secure,
        auth: user ? { user, pass: c.secrets.password ?? "" } : undefined,
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
        // Local relays often have self-signed certificates; STARTTLS is still used when offered.
        tls: { rejectUnauthorized: process.env.QTASK_SMTP_STRICT_TLS === "1" },
      });
      try {
        await transport.sendMail({ from: from || user || "qtask@localhost", to: to.join(", "), subject: m.title, text: m.text });
      } finally {
        transport.close();
      }
      return;
    }
  }
}
