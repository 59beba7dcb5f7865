/**
 * Trends in the browser against the running app and its worker (QTASK_STATS_MS=2000 in the
 * test server: the roll-up runs every 2 s): the overview shows the fleet's trend; a type's
 * trend page, opened from 类型耗时, shows its runs by outcome and its percentiles, the same
 * figures the API gives; the range switches between 7, 30 and 90 days.
 */
import { expect, test } from "@playwright/test";

test("the fleet's trend on /tasks and a type's trend page with its runs and percentiles", async ({ page, request }) => {
  const made = await request.post("/api/tasks/batch", {
    data: { tasks: Array.from({ length: 6 }, () => ({ type: "sleep", payload: { ms: 30 } })) },
  });
  expect(made.status(), await made.text()).toBe(201);
  const ids = (await made.json()).task_ids as string[];
  for (const id of ids)
    await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 20_000 }).toBe("succeeded");
  // The roll-up has counted them (every 2 s).
  await expect
    .poll(async () => (await (await request.get("/api/tasks/trends?days=7&type=sleep")).json()).totals.succeeded as number, { timeout: 20_000 })
    .toBeGreaterThanOrEqual(6);

  await page.goto("/tasks");
  const fleet = page.getByTestId("trend-card");
  await expect(fleet).toContainText("全部任务趋势");
  await expect(fleet.getByTestId("trend-totals")).toContainText("执行次数");

  await page.goto("/tasks?tab=timing");
  await page.getByTestId("trend-link-sleep").click();
  await expect(page).toHaveURL(/\/tasks\/trends\?type=sleep$/);
  const card = page.getByTestId("trend-card");
  await expect(card).toContainText("等待 · 趋势");
  const api = (await (await request.get("/api/tasks/trends?days=30&type=sleep")).json()) as {
    totals: { runs: number; duration_p50_ms: number; duration_p95_ms: number };
  };
  const stat = (title: string) => card.locator(".ant-statistic", { hasText: title }).locator(".ant-statistic-content");
  await expect(stat("执行次数")).toHaveText(String(api.totals.runs));
  // 30 ms sleeps: p50 shows as the API's figure, formatted as a duration.
  await expect(stat("耗时 p50")).toHaveText(`${api.totals.duration_p50_ms} ms`);
  await page.screenshot({ path: "test-results/trends-type.png", fullPage: true });
  await card.getByTestId("trend-days").getByText("7 天").click();
  await expect(card.getByTestId("trend-days").locator(".ant-segmented-item-selected")).toHaveText("7 天");
});
