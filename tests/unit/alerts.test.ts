/** Alert messages and secret handling, by hand: the words of a grouped failure, first lines, scrubbing, signatures. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dingtalkSign, feishuSign, scrub, webhookSignature } from "@/alerts/channels";
import { failedMessage, firstLine, testMessage } from "@/alerts/messages";
import { parseRuleParams } from "@/contracts/alerts";

describe("alert messages", () => {
  it("groups failures: the count, the first five with their error's first line and link, the rest counted", () => {
    process.env.QTASK_PUBLIC_URL = "https://qtask.example.com/";
    const items = Array.from({ length: 5 }, (_, i) => ({ id: 100 + i, type: "backtest", error: `ValueError: bad ${i}\n  at x.py:3`, runId: 200 + i }));
    const zh = failedMessage("回测失败", "zh", 12, items, new Date("2026-12-06T13:00:00Z"));
    expect(zh.title).toBe("【qtask 告警】回测失败：12 个 backtest 任务最终失败");
    const lines = zh.text.split("\n");
    expect(lines[0]).toBe("自 12/06 21:00 起，12 个任务用尽重试后失败：");
    expect(lines[1]).toBe("- #100 backtest: ValueError: bad 0 https://qtask.example.com/tasks/runs/200");
    expect(lines[6]).toBe("- …及另外 7 个");
    expect(lines[7]).toBe("全部失败任务：https://qtask.example.com/tasks?status=failed&type=backtest");
    const en = failedMessage("bt", "en", 1, items.slice(0, 1), new Date("2026-12-06T13:00:00Z"));
    expect(en.title).toBe("[qtask alert] bt: 1 backtest task failed for good");
    expect(testMessage("ops", "en").title).toBe("[qtask test] channel ops");
    delete process.env.QTASK_PUBLIC_URL;
  });

  it("takes an error's first non-empty line, at most 200 characters", () => {
    expect(firstLine("\n\n  Boom: x\nstack")).toBe("  Boom: x");
    expect(firstLine("a".repeat(300))).toHaveLength(200);
    expect(firstLine(null)).toBe("");
  });

  it("scrubs secrets and robot tokens out of error texts", () => {
    const secrets = { url: "https://oapi.dingtalk.com/robot/send?access_token=abc123secret", secret: "SECxyz987" };
    const text = `request to https://oapi.dingtalk.com/robot/send?access_token=abc123secret&timestamp=1 failed; sign SECxyz987; other ?key=k-777 &token=t-1`;
    const out = scrub(text, secrets);
    expect(out).not.toContain("abc123secret");
    expect(out).not.toContain("SECxyz987");
    expect(out).not.toContain("k-777");
    expect(out).not.toContain("t-1");
  });

  it("signs as the receivers document it", () => {
    expect(dingtalkSign("SECabc", 1700000000000)).toBe(createHmac("sha256", "SECabc").update("1700000000000\nSECabc").digest("base64"));
    expect(feishuSign("fs", 1700000000)).toBe(createHmac("sha256", "1700000000\nfs").update("").digest("base64"));
    expect(webhookSignature("k", 5, "{}")).toBe("sha256=" + createHmac("sha256", "k").update("5.{}").digest("hex"));
  });

  it("checks each rule kind's params", () => {
    expect(parseRuleParams("deadline", { schedule: "s", at: "21:00" }).ok).toBe(true);
    expect(parseRuleParams("deadline", { schedule: "s", at: "21:00", after_minutes: 5 }).ok).toBe(false);
    expect(parseRuleParams("deadline", { schedule: "s", at: "25:00" }).ok).toBe(false);
    expect(parseRuleParams("backlog", { queue: "q" }).ok).toBe(false);
    expect(parseRuleParams("no_worker", {})).toEqual({ ok: true, value: { minutes: 5 } });
    expect(parseRuleParams("task_failed", { typo: 1 }).ok).toBe(false);
  });
});
