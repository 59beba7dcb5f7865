/**
 * Schedules in the browser: create a cron schedule from the form while the preview shows the
 * next five fire times, see it in the table, run it now and follow the message to its task,
 * pause it with the switch, delete it; an invalid cron is shown in the form and never saved;
 * a viewer sees the list without any actions. The catalogue (config/tasks.yaml, loaded at start)
 * shows with its tags and blocked schedules; 导出 downloads YAML; 导入 previews a file's diff
 * before applying it, and an invalid file shows its line and changes nothing; a schedule's page
 * runs a backfill and its grid fills in.
 */
import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createUser, pickTaskType, signedInContext } from "./helpers";

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
  // Picking the type fills in an example payload; wait for it so our text is not overwritten.
  await pickTaskType(page, dialog, "等待 (sleep)", () => expect(dialog.getByLabel("参数（JSON）")).toHaveValue(/"ms"/, { timeout: 2_000 }));
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
  // A new cron schedule skips a slot while its previous task is unfinished, unless told otherwise.
  await expect(dialog.getByRole("radio", { name: "跳过本次" })).toBeChecked();

  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText(`已创建定时任务「${name}」`)).toBeVisible();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("* * * * *");
  await expect(row).toContainText("等待");
  await expect(row.getByTestId("next-run")).toHaveText(/\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}/);
  const created = await scheduleNamed(request, name);
  expect(created?.enabled).toBe(true);
  expect((created as unknown as { overlap_policy: string }).overlap_policy).toBe("skip");

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

test("create an after-close schedule with a description; the preview shows 20:00 Shanghai on trading days", async ({ page, request }) => {
  const name = `e2e-after-close-${Date.now()}`;
  const dialog = await openNewForm(page, name);
  await dialog.getByLabel("说明").fill("收盘后五小时");
  await dialog.getByTestId("schedule-kind").getByText("收盘后").click();
  await expect(dialog.getByTestId("schedule-trading-days")).toHaveCount(0);
  await dialog.getByTestId("schedule-after-close").fill("300");
  const runs = dialog.getByTestId("preview-run");
  await expect(runs).toHaveCount(5);
  for (const run of await runs.all()) await expect(run.locator("td").nth(1)).toHaveText(/ 20:00:00$/);
  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(page.getByText(`已创建定时任务「${name}」`)).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(name) });
  await expect(row).toContainText("收盘后 +300 分钟");
  await expect(row.getByTestId("schedule-description")).toHaveText("收盘后五小时");
  const created = (await scheduleNamed(request, name)) as ScheduleRow & { kind: string; after_close_minutes: number; description: string };
  expect([created.kind, created.after_close_minutes, created.description]).toEqual(["after_close", 300, "收盘后五小时"]);
  expect((await request.delete(`/api/schedules/${created.id}`)).status()).toBe(200);
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
  // 导出 is for everyone, 导入 for admins only.
  await expect(page.getByRole("link", { name: "导出" })).toBeVisible();
  await expect(page.getByRole("button", { name: "导入" })).toHaveCount(0);
  // A schedule's page shows a viewer its backfills but not the form.
  await page
    .getByRole("row", { name: /indicator_calculation/ })
    .getByRole("link", { name: "indicator_calculation" })
    .click();
  await expect(page.getByTestId("backfill-card")).toContainText("只有操作员和管理员可以发起补数。");
  await expect(page.getByRole("button", { name: "开始补数" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "立即执行" })).toHaveCount(0);
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

test("the catalogue from config/tasks.yaml is listed with its tags; a schedule without a feed URL cannot be switched on", async ({ page }) => {
  await page.goto("/schedules");
  const indicators = page.getByRole("row", { name: /indicator_calculation/ });
  await expect(indicators).toContainText("收盘后 +300 分钟");
  await expect(indicators).toContainText("收盘后计算全部基金的技术指标与信号");
  await expect(indicators.getByTestId("catalogue-tag")).toHaveText("配置文件");
  await expect(indicators.getByTestId("blocked-tag")).toHaveCount(0);

  const nav = page.getByRole("row", { name: /daily_nav_sync/ });
  await expect(nav.getByTestId("blocked-tag")).toHaveText("未配置数据源");
  await nav.getByTestId("blocked-tag").hover();
  await expect(page.getByRole("tooltip")).toContainText("QTASK_NAV_SOURCE_URL");
  await expect(nav.getByRole("switch")).toBeDisabled();
  await expect(nav.getByRole("switch")).not.toBeChecked();
  await expect(nav.getByRole("button", { name: "立即执行" })).toBeDisabled();
});

test("导出 downloads every schedule as YAML", async ({ page }) => {
  await page.goto("/schedules");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "导出" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^qtask-schedules-\d{4}-\d{2}-\d{2}\.yaml$/);
  const text = fs.readFileSync(await file.path(), "utf8");
  expect(text).toMatch(/^version: 1$/m);
  for (const name of ["daily_nav_sync", "indicator_calculation", "weekly_backtest", "daily_pipeline"]) expect(text).toContain(`name: ${name}`);
  expect(text).toContain("after_close_minutes: 300");
});

test("导入 a YAML file: the preview shows what is added and changed, 应用 applies it", async ({ page, request }) => {
  const stamp = Date.now();
  const existing = `e2e-import-existing-${stamp}`;
  const added = `e2e-import-new-${stamp}`;
  const res = await request.post("/api/schedules", { data: { name: existing, task_type: "noop", kind: "cron", cron: "0 5 * * *" } });
  expect(res.status(), await res.text()).toBe(201);
  const yaml = [
    "version: 1",
    "schedules:",
    `  - name: ${existing}`,
    "    task_type: noop",
    "    kind: cron",
    '    cron: "0 6 * * *"',
    `  - name: ${added}`,
    "    description: 导入的定时任务",
    "    task_type: noop",
    "    kind: after_close",
    "    after_close_minutes: 45",
    "",
  ].join("\n");

  await page.goto("/schedules");
  await page.getByRole("button", { name: "导入" }).click();
  const dialog = page.getByRole("dialog", { name: "导入定时任务" });
  await dialog.locator('input[type="file"]').setInputFiles({ name: "schedules.yaml", mimeType: "application/yaml", buffer: Buffer.from(yaml) });
  await expect(dialog.getByText("已读取 schedules.yaml")).toBeVisible();
  await expect(dialog.getByTestId("import-text")).toHaveValue(yaml);
  // Nothing can be applied before a preview.
  await expect(dialog.getByRole("button", { name: "应用" })).toBeDisabled();

  await dialog.getByRole("button", { name: "预览" }).click();
  const summary = dialog.getByTestId("import-summary");
  await expect(summary).toContainText("新增 1");
  await expect(summary).toContainText("修改 1");
  await expect(summary).toContainText("删除 0");
  const changes = dialog.getByTestId("import-changes");
  await expect(changes.getByRole("row", { name: new RegExp(added) })).toContainText("新增");
  const changedRow = changes.getByRole("row", { name: new RegExp(existing) });
  await expect(changedRow).toContainText("修改");
  await expect(changedRow.getByTestId("import-field")).toHaveText("cron: 0 5 * * * → 0 6 * * *");
  // The preview changed nothing.
  expect(await scheduleNamed(request, added)).toBeUndefined();

  await dialog.getByRole("button", { name: "应用" }).click();
  await expect(page.getByText("已导入：新增 1，修改 1，删除 0")).toBeVisible();
  await expect(dialog).toBeHidden();
  const row = page.getByRole("row", { name: new RegExp(added) });
  await expect(row).toContainText("收盘后 +45 分钟");
  await expect(row).toContainText("导入的定时任务");
  await expect(page.getByRole("row", { name: new RegExp(existing) })).toContainText("0 6 * * *");

  // Its page: settings, and no backfill for a type without an as-of date.
  await row.getByRole("link", { name: added }).click();
  await expect(page).toHaveURL(/\/schedules\/\d+$/);
  await expect(page.getByTestId("schedule-title")).toHaveText(added);
  await expect(page.getByTestId("schedule-settings")).toContainText("导入的定时任务");
  await expect(page.getByTestId("backfill-unsupported")).toHaveText("这种任务类型没有按日期的参数，不能补数。");

  for (const name of [existing, added])
    expect((await request.delete(`/api/schedules/${(await scheduleNamed(request, name))!.id}`)).status()).toBe(200);
});

test("导入 of an invalid file shows each problem with its line and changes nothing", async ({ page, request }) => {
  const name = `e2e-import-bad-${Date.now()}`;
  const before = (await (await request.get("/api/schedules?limit=200")).json()).items.length as number;
  await page.goto("/schedules");
  await page.getByRole("button", { name: "导入" }).click();
  const dialog = page.getByRole("dialog", { name: "导入定时任务" });
  await dialog
    .getByTestId("import-text")
    .fill(["version: 1", "schedules:", `  - name: ${name}`, "    task_type: noop", "    kind: cron", '    cron: "61 * * * *"', ""].join("\n"));
  await dialog.getByRole("button", { name: "预览" }).click();
  await expect(dialog.getByTestId("import-error")).toContainText("文件有错误，未做任何更改");
  await expect(dialog.getByTestId("import-problem").first()).toContainText(/^第 6 行 schedules\.0\.cron: /);
  await expect(dialog.getByTestId("import-diff")).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "应用" })).toBeDisabled();
  expect(await scheduleNamed(request, name)).toBeUndefined();
  expect((await (await request.get("/api/schedules?limit=200")).json()).items.length).toBe(before);
});

test("a schedule's page runs a backfill over a date range and its grid fills in", async ({ page, request }) => {
  const name = `e2e-backfill-${Date.now()}`;
  const res = await request.post("/api/schedules", {
    data: { name, task_type: "signals_batch", payload: { all: true }, kind: "cron", cron: "0 3 * * *", enabled: false },
  });
  expect(res.status(), await res.text()).toBe(201);
  const id = (await res.json()).schedule.id as string;

  await page.goto("/schedules");
  await page
    .getByRole("row", { name: new RegExp(name) })
    .getByRole("link", { name })
    .click();
  await expect(page).toHaveURL(new RegExp(`/schedules/${id}$`));
  const card = page.getByTestId("backfill-card");
  await expect(card).toContainText("参数 as_of 设为该日期");
  await expect(card).toContainText("还没有补数");

  // 2026-03-02 (Mon) to 2026-03-04 (Wed): three trading days.
  await card.getByPlaceholder("开始日期").click();
  await card.getByPlaceholder("开始日期").fill("2026-03-02");
  await card.getByPlaceholder("开始日期").press("Enter");
  await card.getByPlaceholder("结束日期").fill("2026-03-04");
  await card.getByPlaceholder("结束日期").press("Enter");
  await card.getByRole("button", { name: "开始补数" }).click();
  await expect(page.getByText("已创建 3 个补数任务（2026-03-02 至 2026-03-04）")).toBeVisible();

  // The message's link opens the batch in 任务队列; back on the page the grid fills in.
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page).toHaveURL(/\/tasks\?batch_id=backfill-/);
  await expect(page.getByText(/^批次 backfill-/)).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/schedules/${id}$`));

  const cells = card.getByTestId("backfill-cell");
  await expect(cells).toHaveCount(3);
  await expect(cells.nth(0)).toHaveAttribute("data-date", "2026-03-02");
  await expect(cells.nth(2)).toHaveAttribute("data-date", "2026-03-04");
  await expect(card.locator('[data-testid="backfill-cell"][data-status="succeeded"]')).toHaveCount(3, { timeout: 30_000 });
  await expect(card.getByTestId("backfill-count-succeeded")).toHaveText("成功 3");
  await cells.nth(1).hover();
  await expect(page.getByRole("tooltip")).toHaveText("2026-03-03 · 成功");
  await expect(cells.nth(1)).toHaveAttribute("href", /^\/tasks\/\d+$/);
  // The runs appear under 最近执行, each linking to its run page.
  await expect(page.getByTestId("schedule-runs").getByTestId("schedule-run-link")).toHaveCount(3, { timeout: 15_000 });
  await expect(page.getByTestId("schedule-run-link").first()).toHaveAttribute("href", /^\/tasks\/runs\/\d+$/);

  // A cell opens its task.
  await page.getByTestId("backfill-cell").first().click();
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/);
  await expect(page.getByTestId("task-status")).toHaveText("成功");
  expect((await request.delete(`/api/schedules/${id}`)).status()).toBe(200);
});

test("/tasks offers the same 导出 and 导入", async ({ page }) => {
  await page.goto("/tasks");
  await expect(page.getByRole("link", { name: "导出" })).toHaveAttribute("href", "/api/schedules/export");
  await page.getByRole("button", { name: "导入" }).click();
  await expect(page.getByRole("dialog", { name: "导入定时任务" })).toBeVisible();
});

test("a schedule whose task outlasts its interval: its page says 跳过本次 and the fire history shows the skipped slots", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  const name = `e2e-overlap-${Date.now()}`;
  const res = await request.post("/api/schedules", {
    data: { name, task_type: "sleep", payload: { ms: 4_000 }, kind: "interval", interval_seconds: 1 },
  });
  expect(res.status()).toBe(201);
  const id = (await res.json()).schedule.id as string;
  try {
    await page.goto(`/schedules/${id}`);
    await expect(page.getByText("上次未结束时")).toBeVisible();
    const fires = page.getByTestId("schedule-fires");
    await expect(fires.getByTestId("fire-skipped").first()).toContainText(/跳过：上次任务 #\d+ 未结束/, { timeout: 20_000 });
    await expect(fires).toContainText("已触发");
    // The grid of the last slots: a square per slot, coloured by what became of it.
    const grid = page.getByTestId("slot-grid");
    await expect(grid.locator('[data-outcome="skipped"]').first()).toBeVisible();
    await expect(grid.locator('[data-outcome="running"], [data-outcome="succeeded"]').first()).toBeVisible();
  } finally {
    await request.delete(`/api/schedules/${id}`);
  }
});
