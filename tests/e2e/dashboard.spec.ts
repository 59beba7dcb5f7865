/**
 * The task queue in the browser: create a task from the form, follow it to its run page and
 * watch the live log, open a run from the table, cancel a running task, retry a failed one,
 * download a log, deep-link a log line, switch to English.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";
import { pickTaskType } from "./helpers";

async function enqueue(request: APIRequestContext, data: object): Promise<string> {
  const res = await request.post("/api/tasks", { data });
  expect(res.status()).toBe(201);
  return (await res.json()).task.id;
}

async function runOf(request: APIRequestContext, id: string, status?: string): Promise<string> {
  let runId = "";
  await expect
    .poll(
      async () => {
        const t = (await (await request.get(`/api/tasks/${id}`)).json()).task;
        runId = t.run_id ?? "";
        return status ? t.status === status && !!runId : !!runId;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
  return runId;
}

test("create a sleep task from the form, follow it live to the end, see its results and download its log", async ({ page }) => {
  await page.goto("/tasks");
  await expect(page.getByRole("heading", { name: "任务队列" })).toBeVisible();
  await expect(page.getByText("总任务数")).toBeVisible();
  await page.getByRole("button", { name: "新建任务" }).click();
  const dialog = page.getByRole("dialog");
  const payload = dialog.getByLabel("参数（JSON）");
  // Picking the type fills in an example payload; wait for it so our text is not overwritten.
  await pickTaskType(page, dialog, "等待 (sleep)", () => expect(payload).toHaveValue(/"ms": 0/, { timeout: 2_000 }));
  // Checked against the type's schema in the browser before anything is sent.
  await payload.fill('{"ms": "soon"}');
  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(dialog.getByText(/ms：/)).toBeVisible();
  await payload.fill('{"ms": 3500, "rows": 7}');
  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText(/已创建任务 #\d+/)).toBeVisible();
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();

  // The task page turns into the run page as soon as a worker starts it; the log follows live.
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/, { timeout: 15_000 });
  await expect(page.getByTestId("log-lines")).toContainText("sleeping 3500 ms");
  await expect(page.getByTestId("log-lines")).toContainText("slept 2 s", { timeout: 10_000 });
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 15_000 });
  await expect(page.getByTestId("log-lines")).toContainText("succeeded");
  // The result by its declared fields, and its 7 rows in their columns (序号 0–6).
  await expect(page.getByTestId("task-result").locator(".ant-descriptions-item", { hasText: "结果行数" })).toContainText("7");
  await expect(page.getByTestId("results-total")).toHaveText("共 7 行");
  await expect(page.getByRole("cell", { name: "6", exact: true }).first()).toBeVisible();
  await page.screenshot({ path: "test-results/run-page.png", fullPage: true });

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "下载日志" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^task-\d+-run-\d+-attempt-1\.log$/);
});

test("open a run from the table; cancel a running task from the table", async ({ page, request }) => {
  const done = await enqueue(request, { type: "noop" });
  await runOf(request, done, "succeeded");
  const long = await enqueue(request, { type: "sleep", payload: { ms: 60_000 } });
  await runOf(request, long, "running");

  await page.goto("/tasks?tab=running");
  const row = page.getByRole("row", { name: new RegExp(`#${long}\\b`) });
  await expect(row.getByTestId("task-status")).toHaveText("运行中");
  await row.getByRole("button", { name: "取消" }).click();
  await expect(page.getByText("已请求取消")).toBeVisible();
  await expect.poll(async () => (await (await request.get(`/api/tasks/${long}`)).json()).task.status, { timeout: 10_000 }).toBe("cancelled");

  await page.goto("/tasks");
  await page.getByRole("link", { name: `#${done}`, exact: true }).click();
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/);
  await expect(page.getByText(`任务 #${done}`)).toBeVisible();
  await expect(page.getByTestId("task-status")).toHaveText("成功");
  await page.goto("/tasks");
  await page.screenshot({ path: "test-results/tasks-page.png", fullPage: true });
});

test("retry a failed task from its run page and switch between its attempts", async ({ page, request }) => {
  const id = await enqueue(request, { type: "flaky", payload: { fail_times: 1 }, max_attempts: 1 });
  const runId = await runOf(request, id, "failed");
  await page.goto(`/tasks/runs/${runId}`);
  await expect(page.getByTestId("task-status")).toHaveText("失败");
  await expect(page.getByTestId("run-error")).toContainText("flaky: attempt 1");
  await page.getByRole("button", { name: "重试" }).click();
  await expect(page.getByText("已重新排队")).toBeVisible();
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/, { timeout: 15_000 });
  await expect(page).not.toHaveURL(new RegExp(`/tasks/runs/${runId}$`));
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 15_000 });
  await page.getByTestId("attempt-1").click();
  await expect(page).toHaveURL(new RegExp(`/tasks/runs/${runId}$`));
  await expect(page.getByTestId("run-error")).toBeVisible();
});

test("a log line is a link: #L2 scrolls to it and highlights it", async ({ page, request }) => {
  const id = await enqueue(request, { type: "sleep", payload: { ms: 1200 } });
  const runId = await runOf(request, id, "succeeded");
  await page.goto(`/tasks/runs/${runId}#L2`);
  const line = page.locator("#L2");
  await expect(line).toContainText("sleeping 1200 ms");
  await expect(line).toHaveCSS("background-color", "rgba(250, 173, 20, 0.25)");
  await expect(page.locator("#L1")).not.toHaveCSS("background-color", "rgba(250, 173, 20, 0.25)");
  await expect(line).toBeInViewport();
});

test("the UI switches to English and back", async ({ page }) => {
  await page.goto("/tasks");
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { name: "Task queue" })).toBeVisible();
  await expect(page.getByRole("button", { name: "New task" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Task queue" })).toBeVisible();
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { name: "任务队列" })).toBeVisible();
});

test("no request storms: the dashboard refetches when a change is pushed, not on a timer, and a finished run's page stops", async ({
  page,
  request,
}) => {
  const seen: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith("/api/")) seen.push(url.pathname);
  });
  await page.goto("/tasks");
  await expect(page.getByText("总任务数")).toBeVisible();
  // Server push: the page refetches when something changed, at most once a second per view,
  // and sends nothing while the queue is quiet (polling, the fallback, is tested in live.spec.ts).
  await expect(page.getByTestId("live-indicator")).toHaveAttribute("data-status", "live");
  await page.waitForTimeout(1_000);
  seen.length = 0;
  await page.waitForTimeout(9_000);
  const count = (p: string) => seen.filter((s) => s === p).length;
  expect(count("/api/tasks/overview")).toBeLessThanOrEqual(9);
  expect(count("/api/tasks")).toBeLessThanOrEqual(9);
  expect(count("/api/events")).toBe(0); // one stream, kept open
  // A change is pushed: the overview is fetched again at once, not at the next poll.
  seen.length = 0;
  await enqueue(request, { type: "noop" });
  await expect.poll(() => count("/api/tasks/overview"), { timeout: 2_500 }).toBeGreaterThanOrEqual(1);

  const id = await enqueue(request, { type: "sleep", payload: { ms: 100 } });
  const runId = await runOf(request, id, "succeeded");
  await page.goto(`/tasks/runs/${runId}`);
  await expect(page.getByTestId("log-lines")).toContainText("succeeded");
  await page.waitForTimeout(1_500);
  seen.length = 0;
  await page.waitForTimeout(4_000);
  expect(seen).toEqual([]);
});
