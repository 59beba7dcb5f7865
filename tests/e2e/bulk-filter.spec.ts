/**
 * 全部匹配的任务… on /tasks against the running app and its worker: with a filter set, retrying
 * every matching failed task shows the count first, then starts a bulk_action task that works
 * through them; the tasks run again, and the audit log has one entry with the filter and count.
 */
import { expect, test } from "@playwright/test";

test("retry all tasks matching a filter: the count first, then a task with progress, audited once", async ({ page, request }) => {
  // 12 flaky tasks that fail (fail_times above their attempts), told apart by that number.
  const tag = String(37 + (Date.now() % 50));
  const made = await request.post("/api/tasks/batch", {
    data: { tasks: Array.from({ length: 12 }, () => ({ type: "flaky", payload: { fail_times: Number(tag) }, max_attempts: 1 })) },
  });
  expect(made.status(), await made.text()).toBe(201);
  await expect
    .poll(async () => (await (await request.get(`/api/tasks/bulk/count?action=retry&type=flaky&payload.fail_times=${tag}`)).json()).eligible, {
      timeout: 30_000,
    })
    .toBe(12);

  await page.goto(`/tasks?type=flaky&status=failed&payload=fail_times%3D${tag}`);
  // The table's rows come from the client: once they are there, the page is interactive.
  await expect(page.getByRole("link", { name: "不稳定任务 flaky" })).toHaveCount(12);
  await page.getByTestId("bulk-all").click();
  await page.getByRole("menuitem", { name: "重试全部匹配的任务" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("bulk-all-count")).toContainText("当前筛选匹配 12 个任务，其中 12 个可重试");
  await page.screenshot({ path: "test-results/bulk-filter-confirm.png" });
  await dialog.getByRole("button", { name: "重试" }).click();
  await expect(page.getByText(/已开始批量处理 12 个任务（任务 #\d+）/)).toBeVisible();
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page).toHaveURL(/\/tasks\/(runs\/)?\d+$/);
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 20_000 });
  await expect(page.getByTestId("task-result")).toContainText("12");
  await page.screenshot({ path: "test-results/bulk-filter-task.png", fullPage: true });

  // Each ran again (a second attempt), and the request is in the audit log once.
  await expect
    .poll(
      async () => {
        const list = await (await request.get(`/api/tasks?type=flaky&payload.fail_times=${tag}&limit=50`)).json();
        return (list.items as { attempts: number }[]).every((x) => x.attempts === 2);
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  const audit = await (await request.get("/api/audit?action=task.bulk_filter&limit=10")).json();
  const entries = (audit.items as { details: { filter: Record<string, unknown>; count: number } }[]).filter(
    (e) => e.details.filter["payload.fail_times"] === tag,
  );
  expect(entries).toHaveLength(1);
  expect(entries[0].details.count).toBe(12);
});
