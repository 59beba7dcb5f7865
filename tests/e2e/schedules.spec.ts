/**
 * Schedules in the browser: create a cron schedule from the form while the preview shows the
 * next five fire times, see it in the table, run it now and follow the message to its task,
 * pause it with the switch, delete it; an invalid cron is shown in the form and never saved;
 * a viewer sees the list without any actions.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createUser, signedInContext } from "./helpers";

interface ScheduleRow {
  id: string;
  name: string;
  enabled: boolean;
}

async function scheduleNamed(request: APIRequestContext, name: string): Promise<ScheduleRow | undefined> {
  const res = await request.get("/api/schedules?limit=200");
  expect(res.status()).toBe(200);
  return ((await res.json()).items as ScheduleRow[]).find((s) => s.name === name);
}

/** Opens 新建定时任务 and fills name, task type 等待 (sleep) and its payload. */
async function openNewForm(page: Page, name: string) {
  await page.goto("/schedules");
  await expect(page.getByRole("heading", { name: "定时任务" })).toBeVisible();
  await page.getByRole("button", { name: "新建定时任务" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("名称", { exact: true }).fill(name);
  await dialog.getByLabel("任务类型").click();
  await page.getByTitle("等待 (sleep)").click();
  // Picking the type fills in an example payload; wait for it so our text is not overwritten.
  await expect(dialog.getByLabel("参数（JSON）")).toHaveValue(/"ms"/);
  await dialog.getByLabel("参数（JSON）").fill('{"ms": 200}');
  return dialog;
}

test("create a cron schedule with a live preview, run it now and follow it to its task, pause it, delete it", async ({ page, request }) => {
  const name = `e2e-cron-${Date.now()}`;
  const dialog = await openNewForm(page, name);
  const preview = dialog.getByTestId("schedule-preview");
  await expect(preview).toContainText("填写执行时间后显示预览");

  // The preview follows the typing: five fire times, in local time and in the schedule's zone.
  await dialog.getByTestId("schedule-cron").pressSequentially("* * * * *", { delay: 30 });
  await expect(preview.getByTestId("preview-run")).toHaveCount(5);
  await expect(preview).toContainText("Asia/Shanghai 时间");
  await expect(dialog.getByTestId("schedule-timing-error")).toHaveCount(0);

  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText(`已创建定时任务「${name}」`)).toBeVisible();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("* * * * *");
  await expect(row).toContainText("等待");
  await expect(row.getByTestId("next-run")).toHaveText(/\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}/);
  const created = await scheduleNamed(request, name);
  expect(created?.enabled).toBe(true);

  // 立即执行: the message links to the task, which runs and succeeds.
  await row.getByRole("button", { name: "立即执行" }).click();
  await expect(page.getByText(/已立即执行，创建任务 #\d+/)).toBeVisible();
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page).toHaveURL(/\/tasks\/(runs\/)?\d+$/);
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 20_000 });

  // Back in the list: the last run is shown; pause with the switch.
  await page.goto("/schedules");
  await expect(row.getByTestId("last-task")).toBeVisible();
  const toggle = row.getByRole("switch", { name: `${name} 启用` });
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect(page.getByText("已暂停")).toBeVisible();
  await expect(toggle).not.toBeChecked();
  await expect(row.getByTestId("next-run")).toHaveText("—");
  expect((await scheduleNamed(request, name))?.enabled).toBe(false);

  // Delete (after confirming).
  await row.getByRole("button", { name: "删除" }).click();
  await page.getByRole("button", { name: "确定" }).click();
  await expect(page.getByText("已删除定时任务")).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(name) })).toHaveCount(0);
  expect(await scheduleNamed(request, name)).toBeUndefined();
});

test("an invalid cron shows its error in the form and the schedule is not saved", async ({ page, request }) => {
  const name = `e2e-bad-cron-${Date.now()}`;
  const dialog = await openNewForm(page, name);
  let posted = false;
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/schedules") posted = true;
  });

  const cron = dialog.getByTestId("schedule-cron");
  await cron.fill("61 * * * *");
  await expect(dialog.getByTestId("schedule-timing-error")).toContainText("invalid cron expression");
  await expect(dialog.getByTestId("preview-run")).toHaveCount(0);

  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(dialog.getByTestId("schedule-timing-error")).toBeVisible();
  await page.waitForTimeout(1_000);
  await expect(dialog).toBeVisible();
  expect(posted).toBe(false);
  expect(await scheduleNamed(request, name)).toBeUndefined();

  // Fixing the expression brings the preview back.
  await cron.fill("0 15 * * 1-5");
  await expect(dialog.getByTestId("preview-run")).toHaveCount(5);
  await expect(dialog.getByTestId("schedule-timing-error")).toHaveCount(0);
});

test("a viewer sees the schedules but no switches and no actions", async ({ baseURL, browser, request }) => {
  const name = `e2e-viewer-${Date.now()}`;
  const res = await request.post("/api/schedules", {
    data: { name, task_type: "noop", kind: "interval", interval_seconds: 3600 },
  });
  expect(res.status(), await res.text()).toBe(201);
  const id = (await res.json()).schedule.id as string;

  const viewer = await signedInContext(browser, baseURL!, await createUser(request, "viewer"));
  const page = await viewer.newPage();
  await page.goto("/schedules");
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("每 1 小时");
  await expect(row).toContainText("已启用");
  await expect(row.getByRole("switch")).toHaveCount(0);
  await expect(row.getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "新建定时任务" })).toHaveCount(0);
  await viewer.close();
  expect((await request.delete(`/api/schedules/${id}`)).status()).toBe(200);
});

test("a supervised schedule keeps a task running; the switch stops it and cancels the task", async ({ page, request }) => {
  const name = `supervised-${Date.now()}`;
  const dialog = await openNewForm(page, name);
  await dialog.getByTestId("schedule-kind").getByText("常驻任务").click();
  await expect(dialog.getByTestId("supervised-hint")).toBeVisible();
  await dialog.getByLabel("参数（JSON）").fill('{"ms": 60000}');
  await dialog.getByRole("button", { name: "创建" }).click();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row.getByText("常驻任务")).toBeVisible();
  const schedule = ((await (await request.get("/api/schedules?limit=200")).json()).items as { id: string; name: string }[]).find(
    (s) => s.name === name,
  )!;
  const live = async () =>
    ((await (await request.get(`/api/tasks?limit=50&status=running`)).json()).items as { schedule_id: string | null }[]).filter(
      (t) => t.schedule_id === schedule.id,
    ).length;
  await expect.poll(live, { timeout: 20_000 }).toBe(1);
  await row.getByTestId("schedule-enabled-switch").click();
  await expect.poll(live, { timeout: 15_000 }).toBe(0);
  expect((await request.post(`/api/schedules/${schedule.id}/start`)).status()).toBe(200);
  await expect.poll(live, { timeout: 20_000 }).toBe(1);
  expect((await request.post(`/api/schedules/${schedule.id}/stop`)).status()).toBe(200);
  await expect.poll(live, { timeout: 15_000 }).toBe(0);
  expect((await request.delete(`/api/schedules/${schedule.id}`)).status()).toBe(200);
});
