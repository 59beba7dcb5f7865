/**
 * `notify`: delivers one alert message (an alert_events row) to its channel. Built in; made by
 * the alert evaluator and by "send test message", never by hand (the payload is only the event's
 * id, so no secret ever sits in a payload or a log). Retries with backoff: a channel that is down
 * loses nothing, and each attempt's run log says why it failed. The event records the outcome.
 */
import { z } from "zod";
import { sendAlert, destinationOf, type Channel, type ChannelKind } from "@/alerts/channels";
import { defineTask } from "@/queue/registry";

export const notify = defineTask({
  name: "notify",
  title: "告警通知",
  description: "Sends one alert message to its channel (webhook, DingTalk, WeCom, Feishu or email).",
  category: "maintenance",
  queue: "default",
  mode: "fast",
  timeoutMs: 60_000,
  maxAttempts: 5,
  priority: 800,
  schema: z.object({ event_id: z.string().regex(/^[1-9][0-9]{0,14}$/) }).strict(),
  async run(ctx) {
    const event = await ctx.db.alertEvent.findUnique({ where: { id: Number(ctx.payload.event_id) } });
    if (!event) throw new Error(`alert event ${ctx.payload.event_id} no longer exists`);
    if (event.status === "delivered") return { already: true };
    const row = event.channelId ? await ctx.db.alertChannel.findUnique({ where: { id: event.channelId } }) : null;
    if (!row) {
      await ctx.db.alertEvent.update({ where: { id: event.id }, data: { status: "failed", error: "the channel was deleted" } });
      return { sent: false };
    }
    const channel: Channel = { name: row.name, kind: row.kind as ChannelKind, config: JSON.parse(row.config), secrets: JSON.parse(row.secrets) };
    ctx.log.info(`sending "${event.title}" to ${channel.kind} channel ${channel.name} (${destinationOf(channel)})`);
    try {
      await sendAlert(channel, { title: event.title, text: event.message, kind: event.kind, rule: event.ruleName, key: event.dedupKey, at: event.createdAt.toISOString() }, ctx.signal);
    } catch (err) {
      const reason = (err as Error).message;
      const last = ctx.attempt >= ctx.maxAttempts;
      await ctx.db.alertEvent.update({ where: { id: event.id }, data: { status: last ? "failed" : "pending", error: `attempt ${ctx.attempt}/${ctx.maxAttempts}: ${reason}` } });
      throw new Error(reason);
    }
    await ctx.db.alertEvent.update({ where: { id: event.id }, data: { status: "delivered", error: null, deliveredAt: new Date() } });
    ctx.log.info("delivered");
    return { sent: true, channel: channel.name };
  },
});
