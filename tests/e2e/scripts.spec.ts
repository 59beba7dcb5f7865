/**
 * Script tasks through the app: 新建任务 builds a form from a script type's params, the run
 * page shows the command line, PID, host and exit code and filters the log by stream; and the
 * Python helper's client (sdk/python) enqueues, waits for and reads the results of tasks
 * against the running app with an API token.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { pickOption, pickTaskType } from "./helpers";

test("新建任务 runs a script from its params form; the run page shows what ran and how it ended", async ({ page }) => {
  await page.goto("/tasks");
  await page.getByRole("button", { name: "新建任务" }).click();
  const dialog = page.getByRole("dialog");
  // A form from the params, not a JSON box: days, with its default.
  await pickTaskType(
    page,
    dialog,
    "缓存清理（Shell 脚本） (cache_cleanup_sh)",
    () => expect(dialog.getByText("运行：")).toBeVisible({ timeout: 2_000 }),
    "cache_cleanup",
  );
  await expect(dialog.getByLabel("days")).toHaveValue("30");
  await expect(dialog.getByLabel("参数（JSON）")).toHaveCount(0);
  await dialog.getByLabel("days").fill("7");
  await dialog.getByRole("button", { name: "创建" }).click();
  await page.getByRole("link", { name: "去任务队列查看进度/日志" }).click();
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/, { timeout: 15_000 });
  await expect(page.getByTestId("task-status")).toHaveText("成功", { timeout: 20_000 });
  const info = page.getByTestId("run-info");
  await expect(info).toContainText("sh jobs/cache_cleanup.sh 7");
  await expect(info).toContainText("退出码 0");
  await expect(page.getByTestId("log-lines")).toContainText("stdout");
  await pickOption(
    page,
    () => page.getByLabel("stream").click(),
    "stderr",
    () => expect(page.getByTestId("log-lines")).not.toContainText("stdout", { timeout: 2_000 }),
  );
  await page.screenshot({ path: "test-results/script-run.png", fullPage: true });
});

test("the Python client enqueues, waits and reads results against the running app", async ({ request, baseURL }) => {
  const created = await request.post("/api/auth/tokens", { data: { name: "notebook", role: "operator" } });
  expect(created.status()).toBe(201);
  const { secret } = await created.json();
  const program = [
    "import json, qtask",
    "c = qtask.Client()",
    "batch = c.enqueue_batch([{'type': 'sleep', 'payload': {'ms': 50, 'rows': 3}} for _ in range(3)], batch_name='from-python')",
    "done = [c.wait(i, timeout=60, poll=0.2) for i in batch['task_ids']]",
    "rows = list(c.results(batch['task_ids'][0], page_size=2))",
    "try:",
    "    c.enqueue('retention_cleanup')",
    "    refused = None",
    "except qtask.QtaskError as e:",
    "    refused = e.status",
    "print(json.dumps({'statuses': [t['status'] for t in done], 'keys': [r['key'] for r in rows], 'refused': refused}))",
  ].join("\n");
  const res = spawnSync("python3", ["-c", program], {
    env: { ...process.env, PYTHONPATH: path.resolve("sdk/python"), QTASK_API_URL: baseURL, QTASK_API_TOKEN: secret },
    encoding: "utf8",
    timeout: 90_000,
  });
  expect(res.stderr).toBe("");
  expect(JSON.parse(res.stdout)).toEqual({ statuses: ["succeeded", "succeeded", "succeeded"], keys: ["000000", "000001", "000002"], refused: 403 });
});

test("the shipped fund statistics job reads every fund through the API with the Python client", async ({ request, baseURL }) => {
  const { secret } = await (await request.post("/api/auth/tokens", { data: { name: "fund-stats", role: "viewer" } })).json();
  const res = spawnSync("python3", ["jobs/fund_stats.py"], {
    env: { ...process.env, QTASK_API_URL: baseURL, QTASK_API_TOKEN: secret },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect(res.status).toBe(0);
  const said = res.stdout
    .split("\n")
    .filter((l) => l.startsWith("::qtask:: "))
    .map((l) => JSON.parse(l.slice(10)));
  const funds = (await (await request.get("/api/funds?page_size=1")).json()).total as number;
  expect(said.find((m) => "result" in m)).toEqual({ result: { funds, types: expect.any(Number) } });
  const rows = said.filter((m) => "rows" in m).flatMap((m) => m.rows);
  expect(rows.reduce((n: number, r: { data: { funds: number } }) => n + r.data.funds, 0)).toBe(funds);
  expect(said.some((m) => m.progress === 100)).toBe(true);
});

test("a payload cannot inject an option into a script's command line: 400, nothing enqueued", async ({ request }) => {
  const before = (await (await request.get("/api/tasks?type=nav_import_py&limit=200")).json()).items.length;
  const res = await request.post("/api/tasks", { data: { type: "nav_import_py", payload: { codes: "--output=/etc/passwd" } } });
  expect(res.status()).toBe(400);
  expect(JSON.stringify(await res.json())).toContain("must not start with -");
  const extra = await request.post("/api/tasks", { data: { type: "nav_import_py", payload: { codes: "000001", command: "rm -rf /" } } });
  expect(extra.status()).toBe(400);
  expect((await (await request.get("/api/tasks?type=nav_import_py&limit=200")).json()).items.length).toBe(before);
});
