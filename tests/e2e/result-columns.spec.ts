/**
 * Typed result columns in the browser against the real worker: a signals batch's run page shows
 * each fund's signals as coloured tags (not JSON), filters them by direction in the database,
 * keeps the raw JSON one click away, exports the CSV of the filtered rows in the same columns,
 * and its fund link opens the fund; a backtest's result reads as labelled percentages.
 */
import { expect, test } from "@playwright/test";

async function finishedRun(request: import("@playwright/test").APIRequestContext, type: string, payload: unknown): Promise<string> {
  const created = await request.post("/api/tasks", { data: { type, payload } });
  expect(created.status(), await created.text()).toBe(201);
  const id = (await created.json()).task.id as string;
  await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 30_000 }).toBe("succeeded");
  return (await (await request.get(`/api/tasks/${id}`)).json()).task.run_id as string;
}

test("the signals run page shows tags, not JSON; a column filter, the raw JSON, the CSV and the fund link", async ({ page, request }) => {
  const runId = await finishedRun(request, "signals_batch", { all: true });
  await page.goto(`/tasks/runs/${runId}`);
  const card = page.getByTestId("results-card");
  await expect(card.getByRole("columnheader", { name: "信号" })).toBeVisible();
  await expect(card.getByTestId("result-tag").first()).toBeVisible();
  await expect(card.getByTestId("result-tag").first()).toHaveText(/ (买入|卖出) /);
  // No JSON in the table: no cell holds a "direction" key.
  await expect(card.locator("td", { hasText: '"direction"' })).toHaveCount(0);
  const total = Number((await card.getByTestId("results-total").textContent())!.replace(/[^\d]/g, ""));
  expect(total).toBe(200);

  // Only funds with a buy signal: the count drops, and every row shows a 买入 tag.
  await card.getByRole("columnheader", { name: "信号" }).locator(".ant-table-filter-trigger").click();
  await page.locator(".ant-dropdown, .ant-table-filter-dropdown").getByLabel("买入").check();
  await page.getByTestId("filter-apply").click();
  await expect(card.getByTestId("active-filter")).toHaveText(/信号: buy/);
  await expect(card.getByTestId("results-total")).not.toHaveText(`共 ${total} 行`);
  const filtered = Number((await card.getByTestId("results-total").textContent())!.replace(/[^\d]/g, ""));
  expect(filtered).toBeGreaterThan(0);
  expect(filtered).toBeLessThan(total);
  const rows = card.locator("tbody tr.ant-table-row");
  for (let i = 0; i < (await rows.count()); i++) await expect(rows.nth(i)).toContainText("买入");
  await page.screenshot({ path: "test-results/result-columns-signals.png", fullPage: true });

  // The same rows as CSV, in the same columns.
  const download = page.waitForEvent("download");
  await card.getByRole("link", { name: "导出 CSV" }).click();
  const csv = await (await download).createReadStream();
  const text = await new Promise<string>((resolve) => {
    let s = "";
    csv.on("data", (b: Buffer) => (s += b.toString()));
    csv.on("end", () => resolve(s));
  });
  const lines = text
    .replace(/^\uFEFF/, "")
    .trim()
    .split(/\r?\n/);
  expect(lines[0]).toBe("基金代码,信号,数据,截至");
  expect(lines.length - 1).toBe(filtered);
  expect(lines.slice(1).every((l) => l.includes("买入"))).toBe(true);

  // The raw JSON one click away.
  await card.getByText("JSON", { exact: true }).click();
  await expect(card.getByTestId("results-json")).toContainText('"direction"');
  await card.getByText("表格", { exact: true }).click();

  // A fund code opens that fund on the sniffer, with its NAV.
  const code = (await rows.first().locator("td").first().textContent())!.trim();
  await rows.first().getByRole("link", { name: code }).click();
  await expect(page).toHaveURL(new RegExp(`/sniffer\\?fund=${code}$`));
  await expect(page.locator(".ant-drawer-title")).toContainText(code);
});

test("a backtest's result reads as labelled percentages and ratios, with the JSON behind a switch", async ({ page, request }) => {
  const funds = await (await request.get("/api/funds?page_size=5")).json();
  const code = (funds.items as { code: string }[])[0]?.code ?? "000001";
  const runId = await finishedRun(request, "backtest", { fund_code: code, strategy: "buy_hold" });
  const detail = await (await request.get(`/api/tasks/runs/${runId}`)).json();
  const m = detail.task.result.metrics as { total_return: number; max_drawdown: number; sharpe: number | null };
  await page.goto(`/tasks/runs/${runId}`);
  const summary = page.getByTestId("task-result");
  const pct = (v: number) => `${(v * 100).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}%`;
  await expect(summary.locator(".ant-descriptions-item", { hasText: "总收益" }).locator(".ant-descriptions-item-content")).toHaveText(
    pct(m.total_return),
  );
  await expect(summary.locator(".ant-descriptions-item", { hasText: "最大回撤" }).locator(".ant-descriptions-item-content")).toHaveText(
    pct(m.max_drawdown),
  );
  await expect(summary.getByTestId("sparkline")).toBeVisible();
  await page.getByTestId("result-mode").getByText("JSON").click();
  await expect(page.getByTestId("task-result-json")).toContainText('"total_return"');
  await page.screenshot({ path: "test-results/result-columns-backtest.png", fullPage: true });
});
