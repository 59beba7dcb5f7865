/**
 * The queue panel of /tasks against the running app and its worker: pausing `default` keeps a
 * new task queued (the panel shows 已暂停 and who paused it), resuming runs it; an admin sets a
 * cluster-wide limit in the form and the panel shows it. Then the same from the command line:
 * `qtask queues`, `pause`, `resume`.
 */
import { expect, test } from "@playwright/test";
import { qtask } from "./helpers";

test("pause and resume a queue from the panel; set a limit; the same from qtask", async ({ page, request, baseURL }) => {
  test.setTimeout(90_000);
  await page.goto("/tasks");
  const row = page.getByTestId("queue-row-default");
  await expect(row).toBeVisible();
  try {
    await row.getByRole("button", { name: "暂停" }).click();
    await page.getByRole("button", { name: /确\s*定|OK/ }).click();
    await expect(row.getByTestId("queue-paused")).toBeVisible();
    const created = await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 10 } } });
    expect(created.status()).toBe(201);
    const id = (await created.json()).task.id as string;
    await page.waitForTimeout(2_000);
    expect((await (await request.get(`/api/tasks/${id}`)).json()).task.status).toBe("queued");
    await row.getByRole("button", { name: "恢复" }).click();
    await expect(row.getByTestId("queue-paused")).toBeHidden();
    await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 15_000 }).toBe("succeeded");

    // An admin's limit, shown as a tag.
    await row.getByRole("button", { name: "限制" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("同时运行上限（max_running）").fill("7");
    await dialog.getByRole("button", { name: /保\s*存/ }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText("最多同时 7 个");
  } finally {
    await request.post("/api/queues/default/resume");
    await request.patch("/api/queues/default", { data: {} });
  }
  await expect(row).toContainText("无限制");

  // The command line: queues, pause, resume (exit 0), a queue nobody knows (exit 1), no name (exit 2).
  const token = await request.post("/api/auth/tokens", { data: { name: `cli-q-${Date.now()}`, role: "operator" } });
  const env = { QTASK_URL: baseURL!, QTASK_TOKEN: (await token.json()).secret as string };
  const queues = await qtask(["queues"], env);
  expect(queues.code, queues.err).toBe(0);
  expect(queues.out).toMatch(/^default\s+active\s+queued \d+/m);
  const paused = await qtask(["pause", "default"], env);
  expect(paused.code, paused.err).toBe(0);
  expect(paused.out).toMatch(/^default\s+paused by cli-q-/m);
  await expect(row.getByTestId("queue-paused")).toBeVisible();
  const resumed = await qtask(["resume", "default"], env);
  expect(resumed.code, resumed.err).toBe(0);
  expect(resumed.out).toMatch(/^default\s+active/m);
  expect((await qtask(["pause", "no_such_queue"], env)).code).toBe(1);
  expect((await qtask(["pause"], env)).code).toBe(2);
});
