/**
 * The 告警 page against the running app and its worker: an admin adds a webhook channel (its
 * URL and secret are write-only afterwards), sends a test message — delivered by a notify task
 * to a local receiver, signed — adds a rule, and reads the history.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { pickOption } from "./helpers";

test("an admin adds a channel, sends a test message that arrives signed, and adds a rule", async ({ page }) => {
  const got: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=tok-e2e-1`;
  const name = `ops-${Date.now()}`;
  try {
    await page.goto("/alerts?tab=channels");
    await page.getByRole("button", { name: "新建通道" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("名称").fill(name);
    await pickOption(
      page,
      () => dialog.getByLabel("类型").click(),
      "Webhook",
      () => expect(dialog.getByLabel("Webhook 地址")).toBeVisible({ timeout: 2_000 }),
    );
    await dialog.getByLabel("Webhook 地址").fill(url);
    await dialog.getByLabel("签名密钥").fill("e2e-signing-secret");
    await dialog.getByRole("button", { name: "保存" }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect(row).toContainText("url ••••");
    await expect(row).toContainText("secret ••••");
    // Write-only: the page never received the values.
    await expect(page.locator("body")).not.toContainText("tok-e2e-1");
    await expect(page.locator("body")).not.toContainText("e2e-signing-secret");

    await row.getByRole("button", { name: "发送测试消息" }).click();
    await expect(page.getByText("测试消息已排队")).toBeVisible();
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(1);
    const ts = got[0].headers["x-qtask-timestamp"] as string;
    expect(got[0].headers["x-qtask-signature"]).toBe(
      "sha256=" + createHmac("sha256", "e2e-signing-secret").update(`${ts}.${got[0].body}`).digest("hex"),
    );
    expect(JSON.parse(got[0].body).title).toBe(`【qtask 测试】通道 ${name}`);

    await page.getByRole("tab", { name: "历史" }).click();
    await expect(page.getByRole("row", { name: new RegExp(`测试.*${name}|${name}.*测试`) }).first()).toContainText("已送达", { timeout: 15_000 });

    await page.getByRole("tab", { name: "规则" }).click();
    await page.getByRole("button", { name: "新建规则" }).click();
    const ruleDialog = page.getByRole("dialog");
    await ruleDialog.getByLabel("名称").fill(`${name}-failures`);
    await ruleDialog.getByLabel("发送到").click();
    await page.getByTitle(new RegExp(`^${name}`)).click();
    await ruleDialog.getByRole("button", { name: "保存" }).click();
    await expect(ruleDialog).toBeHidden();
    const ruleRow = page.getByRole("row", { name: new RegExp(`${name}-failures`) });
    await expect(ruleRow).toContainText("任务最终失败");
    await expect(ruleRow).toContainText("正常");
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
