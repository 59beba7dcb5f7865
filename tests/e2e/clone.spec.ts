/**
 * 复制为新任务 against the running app and its worker: a finished task is copied with an edited
 * payload from its run page; the copy runs, links back to its source, and carries the edit. A
 * copy naming a task that does not exist is refused and nothing is enqueued.
 */
import { expect, test } from "@playwright/test";

test("copy a task with an edited payload and see it run, linked to its source", async ({ page, request }) => {
  const created = await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 100 }, priority: 600 } });
  expect(created.status()).toBe(201);
  const sourceId = (await created.json()).task.id as string;
  await expect.poll(async () => (await (await request.get(`/api/tasks/${sourceId}`)).json()).task.status, { timeout: 20_000 }).toBe("succeeded");

  await page.goto(`/tasks/${sourceId}`);
  await page.getByTestId("clone-task").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`复制任务 #${sourceId} 为新任务`);
  const payload = dialog.getByLabel("参数（JSON）");
  await expect(payload).toHaveValue(/"ms": 100/);
  await expect(dialog.getByLabel("优先级（100–900，越大越先）")).toHaveValue("600");
  await payload.fill('{"ms": 150}');
  await dialog.getByRole("button", { name: "创建" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 20_000 });
  await expect(page.getByTestId("cloned-from")).toHaveText(`#${sourceId}`);
  const copyId = page.url().match(/\/tasks\/(?:runs\/)?(\d+)$/)?.[1];
  expect(copyId).toBeTruthy();

  const list = await (await request.get(`/api/tasks?type=sleep&limit=20`)).json();
  const copy = (list.items as { id: string; payload: unknown; cloned_from: string | null; priority: number }[]).find(
    (x) => x.cloned_from === sourceId,
  );
  expect(copy).toMatchObject({ payload: { ms: 150 }, priority: 600, cloned_from: sourceId });

  // A source that does not exist: 400 with the envelope, nothing enqueued.
  const before = (await (await request.get("/api/tasks?type=sleep&limit=1")).json()).items[0].id;
  const bad = await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 1 }, cloned_from: "999999999" } });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.code).toBe("invalid_input");
  expect((await (await request.get("/api/tasks?type=sleep&limit=1")).json()).items[0].id).toBe(before);
});

test("re-run a batch as a new batch with a changed param", async ({ page, request }) => {
  const made = await request.post("/api/tasks/batch", {
    data: {
      tasks: [
        { type: "sleep", payload: { ms: 50 } },
        { type: "sleep", payload: { ms: 60 } },
      ],
    },
  });
  expect(made.status()).toBe(201);
  const { batch_id: source } = await made.json();
  await page.goto(`/tasks?batch_id=${encodeURIComponent(source)}`);
  await page.getByTestId("batch-rerun").click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("radio", { name: "整个批次" }).check();
  await dialog.getByTestId("rerun-changes").fill('{"ms": 20}');
  await dialog.getByRole("button", { name: "重跑", exact: true }).click();
  await expect(dialog).toBeHidden();
  const done = page.getByText(/已重跑 2 个任务，新批次 /);
  await expect(done).toBeVisible();
  const batchId = (await done.textContent())!.match(/新批次 (\S+)/)![1];
  expect(batchId).not.toBe(source);
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page).toHaveURL(new RegExp(`batch_id=${encodeURIComponent(batchId)}`));
  const copies = await (await request.get(`/api/tasks?batch_id=${encodeURIComponent(batchId)}`)).json();
  expect((copies.items as { payload: unknown }[]).map((x) => x.payload)).toEqual([{ ms: 20 }, { ms: 20 }]);
});
