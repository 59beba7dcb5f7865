/**
 * The words of alert messages, in Chinese (default) or English as the rule says: what happened,
 * the first line of the error, and links to the run pages under QTASK_PUBLIC_URL.
 */

export type Lang = "zh" | "en";

/** The base of links in messages: QTASK_PUBLIC_URL (the README says to set it), else the local default. */
export function publicUrl(): string {
  return (process.env.QTASK_PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/+$/, "");
}

/** The first line of an error, at most 200 characters. */
export function firstLine(error: string | null | undefined): string {
  const line = (error ?? "").split("\n").find((l) => l.trim()) ?? "";
  return line.length > 200 ? line.slice(0, 199) + "…" : line;
}

const time = (d: Date, lang: Lang, tz = process.env.QTASK_TIMEZONE || "Asia/Shanghai") =>
  new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: tz, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);

/** A failed task as a message lists it. */
export interface FailedItem {
  id: number;
  type: string;
  error: string | null;
  runId: number | null;
}

/** How many of the grouped items a message lists by name. */
export const LISTED = 5;

/** Title prefixes. */
export function prefix(kind: "fire" | "recover" | "test", lang: Lang): string {
  if (lang === "en") return kind === "fire" ? "[qtask alert]" : kind === "recover" ? "[qtask recovered]" : "[qtask test]";
  return kind === "fire" ? "【qtask 告警】" : kind === "recover" ? "【qtask 恢复】" : "【qtask 测试】";
}

function runLink(item: { id: number; runId: number | null }): string {
  return item.runId ? `${publicUrl()}/tasks/runs/${item.runId}` : `${publicUrl()}/tasks/${item.id}`;
}

/** "12 tasks of type backtest failed …", the first few listed with their error and link. */
export function failedMessage(rule: string, lang: Lang, total: number, items: FailedItem[], since: Date): { title: string; text: string } {
  const types = [...new Set(items.map((i) => i.type))];
  const typeText = types.length === 1 ? types[0] : lang === "zh" ? `${types.length} 种类型的` : `${types.length} types of`;
  const title =
    lang === "zh" ? `${prefix("fire", lang)}${rule}：${total} 个 ${typeText} 任务最终失败` : `${prefix("fire", lang)} ${rule}: ${total} ${typeText} task${total === 1 ? "" : "s"} failed for good`;
  const head = lang === "zh" ? `自 ${time(since, lang)} 起，${total} 个任务用尽重试后失败：` : `Since ${time(since, lang)}, ${total} task(s) failed with their attempts used up:`;
  const lines = items.slice(0, LISTED).map((i) => `- #${i.id} ${i.type}: ${firstLine(i.error) || "-"} ${runLink(i)}`);
  if (total > LISTED) lines.push(lang === "zh" ? `- …及另外 ${total - LISTED} 个` : `- …and ${total - LISTED} more`);
  const all = `${publicUrl()}/tasks?status=failed${types.length === 1 ? `&type=${encodeURIComponent(types[0])}` : ""}`;
  return { title, text: [head, ...lines, lang === "zh" ? `全部失败任务：${all}` : `All failed tasks: ${all}`].join("\n") };
}

/** A condition's message: the title says what, the text the detail lines. */
export function conditionMessage(kind: "fire" | "recover", rule: string, lang: Lang, summary: string, lines: string[]): { title: string; text: string } {
  const title = lang === "zh" ? `${prefix(kind, lang)}${rule}：${summary}` : `${prefix(kind, lang)} ${rule}: ${summary}`;
  return { title, text: lines.join("\n") };
}

/** The test message of a channel. */
export function testMessage(channel: string, lang: Lang = "zh"): { title: string; text: string } {
  return lang === "zh"
    ? { title: `${prefix("test", lang)}通道 ${channel}`, text: `这是一条来自 qtask 的测试消息，说明通道「${channel}」配置正确。\n${publicUrl()}/alerts` }
    : { title: `${prefix("test", lang)} channel ${channel}`, text: `A test message from qtask: channel "${channel}" works.\n${publicUrl()}/alerts` };
}

export { time as formatTime, runLink };
