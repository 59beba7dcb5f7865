/**
 * The research pages in the browser against the real worker: the sniffer loads signals for
 * the funds in view (tags appear, the log link opens the run page, a reload resumes), a
 * screening strategy runs with its matches, screens are compared, a backtest batch completes
 * with its chart, and a parameter sweep runs from the form to its heatmap and comparison.
 */
import { expect, test } from "@playwright/test";
import { pickOption } from "./helpers";

test("sniffer: 加载信号 → signal tags appear → the log link opens the run page; a reload resumes", async ({ page }) => {
  await page.goto("/sniffer");
  await expect(page.getByRole("heading", { name: "嗅探" })).toBeVisible();
  await expect(page.locator("tbody tr")).toHaveCount(20);
  const firstCode = (await page.locator("tbody tr").first().locator("code").textContent()) ?? "";
  expect(firstCode).toMatch(/^\d{6}$/);
  await page.getByRole("button", { name: "加载信号" }).click();
  await expect(page.getByText(/已创建信号任务 #\d+/)).toBeVisible();
  await expect(page).toHaveURL(/task=\d+/);
  await expect(page.getByText("已计算 20 / 20")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("signal-tag").first()).toBeVisible();
  await page.screenshot({ path: "test-results/sniffer-page.png", fullPage: true });

  // Reloading with the task in the URL resumes and shows the same tags.
  const tags = await page.getByTestId("signal-tag").count();
  await page.reload();
  await expect(page.getByText("已计算 20 / 20")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId("signal-tag")).toHaveCount(tags);

  await page.getByRole("link", { name: "去任务队列查看日志" }).click();
  await expect(page).toHaveURL(/\/tasks\/runs\/\d+$/);
  await expect(page.getByTestId("log-lines")).toContainText("computing signals for 20 funds");
});

test("sniffer: unit, accumulated and adjusted NAV; a fund's NAV chart with its dividends; money funds get no trend signal", async ({
  page,
  request,
}) => {
  // A fund that has paid dividends: its adjusted NAV differs from its unit NAV.
  const funds = (await (await request.get("/api/funds?type=stock&page_size=100")).json()).items as { code: string; name: string }[];
  let payer: { code: string; name: string } | null = null;
  for (const f of funds) {
    const nav = await (await request.get(`/api/funds/${f.code}/nav`)).json();
    if (nav.actions.some((a: { dividend: number }) => a.dividend > 0)) {
      payer = f;
      break;
    }
  }
  expect(payer).not.toBeNull();
  await page.goto("/sniffer");
  await page.getByPlaceholder("搜索代码或名称").fill(payer!.code);
  await page.getByPlaceholder("搜索代码或名称").press("Enter");
  await expect(page.locator("tbody tr")).toHaveCount(1);
  for (const title of ["单位净值", "累计净值", "复权净值", "近3月"]) await expect(page.getByRole("columnheader", { name: title })).toBeVisible();
  await page.getByTestId("fund-code").click();
  const drawer = page.locator(".ant-drawer");
  await expect(drawer.getByText(`${payer!.code} ${payer!.name} · 净值走势`)).toBeVisible();
  await expect(drawer.locator("canvas").first()).toBeVisible();
  await expect(drawer.getByTestId("nav-actions").locator("tbody tr").first()).toBeVisible();
  await drawer.getByText("单位净值", { exact: true }).click();
  await expect(drawer.locator(".ant-segmented-item-selected")).toHaveText("单位净值");
  await page.screenshot({ path: "test-results/sniffer-nav-drawer.png", fullPage: true });
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();

  // Money funds: the signals column says why there is none instead of "RSI 100, sell".
  await page.getByPlaceholder("搜索代码或名称").fill("");
  await page.getByPlaceholder("搜索代码或名称").press("Enter");
  await expect(page.locator("tbody tr")).toHaveCount(20);
  await pickOption(
    page,
    () => page.locator(".ant-select").filter({ hasText: "基金类型" }).click(),
    "货币型",
    () => expect(page.locator("tbody tr").first()).toContainText("货币型", { timeout: 5_000 }),
  );
  await page.getByRole("button", { name: "加载信号" }).click();
  await expect(page.getByTestId("signals-na").first()).toHaveText("货币基金：不适用趋势信号", { timeout: 30_000 });
  await expect(page.getByTestId("signal-tag")).toHaveCount(0);
});

test("strategies: run a screen and page through its matches", async ({ page }) => {
  await page.goto("/strategies");
  await page.getByTestId("run-momentum_top_n").click();
  await expect(page.getByText(/已创建筛选任务 #\d+/)).toBeVisible();
  await expect(page.getByText("匹配的基金")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("cell", { name: "1", exact: true }).first()).toBeVisible();
});

test("strategies: a screen runs with the parameters typed, shown on its result; an out-of-range value is refused before sending", async ({
  page,
}) => {
  await page.goto("/strategies");
  const form = page.getByTestId("params-momentum_top_n");
  await form.getByLabel("top_n").fill("0");
  await page.getByTestId("run-momentum_top_n").click();
  await expect(form.getByText("top_n must be at least 1")).toBeVisible();
  await expect(page.getByText(/已创建筛选任务 #\d+/)).toHaveCount(0);
  await form.getByLabel("top_n").fill("7");
  await form.getByLabel("momentum_period").fill("60");
  await page.getByTestId("run-momentum_top_n").click();
  await expect(page.getByText(/已创建筛选任务 #\d+/)).toBeVisible();
  const used = page.getByTestId("used-params");
  await expect(used).toContainText("top_n7");
  await expect(used).toContainText("momentum_period60");
  await expect(page.getByText("匹配的基金")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("provenance")).toContainText("qtask-figures-1", { timeout: 20_000 });
  await page.screenshot({ path: "test-results/strategies-params.png", fullPage: true });
  // Remembered for this user: the form opens with the values last run.
  await page.reload();
  await expect(page.getByTestId("params-momentum_top_n").getByLabel("top_n")).toHaveValue("7");
  // The history lists the run with who started it and its params; a row opens it.
  const history = page.getByTestId("screen-history");
  const row = history.locator("tbody tr").filter({ hasText: "top_n=7" }).first();
  await expect(row).toContainText("admin");
  await expect(row).toContainText("momentum_period=60");
  await page.goto("/strategies");
  await page.getByTestId("screen-history").locator("tbody tr").filter({ hasText: "top_n=7" }).first().click();
  await expect(page).toHaveURL(/strategy=momentum_top_n&task=\d+/);
  await expect(page.getByTestId("used-params")).toContainText("top_n7");
});

test("a screen that ends while its page's first read of it is on the way is shown ended (the end's event is not folded into that read)", async ({
  page,
}) => {
  // The page's first GET of the new task is answered at once (the screen is still running) and
  // held for 3 s, so the screen ends and its event arrives while that read is in flight, as on
  // a loaded machine in CI. The event must bring a new read; the held answer alone says running.
  let held = false;
  await page.route(/\/api\/tasks\/\d+$/, async (route) => {
    if (held || route.request().method() !== "GET") return route.continue();
    held = true;
    const response = await route.fetch();
    await new Promise((r) => setTimeout(r, 3_000));
    await route.fulfill({ response });
  });
  await page.goto("/strategies");
  await page.getByTestId("run-momentum_top_n").click();
  await expect(page.getByText(/已创建筛选任务 #\d+/)).toBeVisible();
  await expect(page.getByTestId("provenance")).toContainText("qtask-figures-1", { timeout: 15_000 });
  expect(held).toBe(true);
});

test("strategies: two screens compared side by side, with the funds that entered and left; as CSV", async ({ page, request }) => {
  const ids: string[] = [];
  for (const top_n of [5, 8]) {
    const res = await request.post("/api/strategies/momentum_top_n/execute", { data: { params: { top_n } } });
    expect(res.status()).toBe(202);
    ids.push((await res.json()).task_id);
  }
  for (const id of ids)
    await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 30_000 }).toBe("succeeded");
  // The same ranking cut at 5 and at 8: three funds enter, none leaves.
  const api = await (await request.get(`/api/strategies/runs/compare?ids=${ids.join(",")}`)).json();
  expect(api.changes[0]).toMatchObject({ stayed: 5, left: [] });
  expect(api.changes[0].entered).toHaveLength(3);
  await page.goto("/strategies");
  for (const id of ids) await page.getByLabel(`compare screen ${id}`).check();
  await page.getByTestId("screen-compare-selected").click();
  await expect(page).toHaveURL(new RegExp(`compare=${ids.join(",")}`));
  const cmp = page.getByTestId("screen-compare");
  await expect(cmp).toContainText("筛选对比（2 次）");
  await expect(cmp.locator("[data-differs]").first()).toBeVisible(); // top_n 5 vs 8
  await expect(page.getByTestId("screen-change")).toContainText("新进入 3");
  await expect(page.getByTestId("screen-entered").locator(".ant-tag")).toHaveCount(3);
  await expect(page.getByTestId("screen-change")).toContainText("退出 0");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("screen-compare-csv").click()]);
  expect(download.suggestedFilename()).toBe(`screen-compare-${ids.join("-")}.csv`);
  await page.screenshot({ path: "test-results/strategies-compare.png", fullPage: true });
});

test("backtests: a batch completes and shows metrics and its equity curve", async ({ page, request }) => {
  const codes = ((await (await request.get("/api/funds?page_size=3&type=stock")).json()).items as { code: string }[]).map((f) => f.code);
  const res = await request.post("/api/backtests", { data: { fund_codes: codes, strategy: "ma_cross", start: "2022-01-04", end: "2024-09-19" } });
  expect(res.status()).toBe(201);
  const { batch_id, task_ids } = await res.json();
  expect(task_ids).toHaveLength(3);
  await page.goto(`/backtests?batch=${batch_id}`);
  await expect(page.getByTestId("batch-results").locator("tbody tr").filter({ hasText: "成功" })).toHaveCount(3, { timeout: 30_000 });
  await expect(page.getByText(/^净值曲线 · \d{6}/)).toBeVisible();
  await expect(page.locator("canvas").first()).toBeVisible();
  // Every figure of the selected run, including those against the default benchmark 沪深300.
  const metrics = page.getByTestId("backtest-metrics");
  await expect(metrics).toContainText("索提诺比率");
  await expect(metrics).toContainText("基准收益 (沪深300 000300.SH)");
  await expect(metrics).toContainText("信息比率");
  await page.screenshot({ path: "test-results/backtests-page.png", fullPage: true });
  const batch = await (await request.get(`/api/backtests/batches/${batch_id}`)).json();
  expect(batch.items.every((i: { metrics: { days: number } | null }) => i.metrics && i.metrics.days > 400)).toBe(true);
  // The batch's metrics and one run's equity curve download as CSV.
  const csv = await request.get(`/api/backtests/batches/${batch_id}/download`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const lines = (await csv.text())
    .replace(/^\ufeff/, "")
    .trim()
    .split("\n");
  expect(lines[0]).toContain(
    "fund_code,fund_name,strategy,ma_short,ma_long,fee_buy,fee_sell,risk_free,initial,status,total_return,annualized_return",
  );
  expect(lines).toHaveLength(1 + codes.length);
  const equity = await request.get(`/api/backtests/tasks/${task_ids[0]}/equity/download`);
  const eq = (await equity.text())
    .replace(/^\ufeff/, "")
    .trim()
    .split("\n");
  expect(eq[0]).toBe("date,strategy,buy_hold,benchmark,drawdown");
  expect(eq.length).toBeGreaterThan(100);
  expect((await request.get("/api/backtests/tasks/999999/equity/download")).status()).toBe(404);
  await expect(page.getByTestId("batch-csv")).toBeVisible();
  await expect(page.getByTestId("equity-csv")).toBeVisible();
  // Compare two runs: side by side, differences highlighted, curves overlaid, downloadable.
  await page.getByLabel(`compare ${codes[0]}`).check();
  await page.getByLabel(`compare ${codes[1]}`).check();
  await page.getByTestId("compare-selected").click();
  await expect(page).toHaveURL(/compare=\d+,\d+/);
  const cmp = page.getByTestId("backtest-compare");
  await expect(cmp).toContainText("回测对比（2 个）");
  await expect(cmp.locator("[data-differs]").first()).toBeVisible(); // different funds, different figures
  await expect(cmp.locator("canvas").first()).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("compare-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^backtest-compare-\d+-\d+\.csv$/);
  await page.screenshot({ path: "test-results/backtests-compare.png", fullPage: true });

  // The batch is in the history, with who started it; a row opens it again.
  await page.goto("/backtests");
  const hist = page.getByTestId("backtest-history").locator("tbody tr").first();
  await expect(hist).toContainText("admin");
  await expect(hist).toContainText("2022-01-04 → 2024-09-19");
  await hist.click();
  await expect(page).toHaveURL(new RegExp(`batch=${batch_id}`));
  await page.screenshot({ path: "test-results/backtests-history.png", fullPage: true });
  for (const i of batch.items as { metrics: { benchmark: string; beta: number | null; sharpe: number | null; max_drawdown_peak: string | null } }[]) {
    expect(i.metrics.benchmark).toBe("000300.SH");
    expect(typeof i.metrics.beta).toBe("number");
    expect(i.metrics.max_drawdown_peak).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  }
  for (const bad of [
    { fund_codes: [], strategy: "ma_cross" },
    { fund_codes: codes, strategy: "guess" },
    { fund_codes: codes, strategy: "ma_cross", start: "yesterday" },
  ]) {
    expect((await request.post("/api/backtests", { data: bad })).status()).toBe(400);
  }
});

test("backtests: a 2×3 sweep over five funds from the form; the heatmap, the leaderboard, robustness; the best two compared", async ({
  page,
  request,
}) => {
  const codes = ((await (await request.get("/api/funds?page_size=5&type=stock")).json()).items as { code: string }[]).map((f) => f.code);
  expect(codes).toHaveLength(5);
  await page.goto("/backtests");
  const funds = page.getByLabel("funds");
  for (const code of codes) {
    await funds.click();
    await funds.fill(code);
    await page.locator(".ant-select-item-option").filter({ hasText: code }).first().click();
  }
  await page.keyboard.press("Escape");
  await page.getByTestId("backtest-mode").getByText("参数扫描").click();
  // A value out of range is refused at the field before anything is sent.
  await page.getByLabel("sweep ma_short").fill("1..10");
  await page.getByTestId("backtest-submit").click();
  await expect(page.getByText("ma_short must be at least 2 (value 1)")).toBeVisible();
  await page.getByLabel("sweep ma_short").fill("5..10 step 5");
  await page.getByLabel("sweep ma_long").fill("20, 40, 60");
  await expect(page.getByTestId("sweep-preview")).toHaveText("6 组参数 × 5 只基金 = 30 个任务");
  await page.screenshot({ path: "test-results/sweep-form.png", fullPage: true });
  await page.getByTestId("backtest-submit").click();
  await expect(page.getByText("已创建参数扫描：6 组参数，共 30 个任务")).toBeVisible();
  await expect(page).toHaveURL(/batch=sw-/);
  const batchId = new URL(page.url()).searchParams.get("batch") as string;
  const view = page.getByTestId("sweep-view");
  await expect(view).toContainText("ma_short: 5, 10");
  await expect(view).toContainText("ma_long: 20, 40, 60");
  await expect(view).toContainText("成功 30", { timeout: 60_000 });
  // The heatmap: ma_short across, ma_long down, every cell a mean Sharpe.
  const cells = page.getByTestId("heat-cell");
  await expect(cells).toHaveCount(6);
  await expect(cells.first()).toHaveText(/^-?\d+\.\d{2}$/);
  await expect(page.getByTestId("sweep-leaderboard").locator("tbody tr")).toHaveCount(6);
  await expect(page.getByTestId("sweep-robustness")).toContainText("Kendall W");
  await page.screenshot({ path: "test-results/sweep-page.png", fullPage: true });
  // The page's figures are the API's; the API's equal the runs' own metrics (integration tests check the maths).
  const summary = await (await request.get(`/api/backtests/sweeps/${batchId}`)).json();
  expect(summary.combinations).toBe(6);
  const best = summary.leaderboard[0];
  await expect(page.getByTestId("sweep-leaderboard").locator("tbody tr").first()).toContainText(`ma_short=${best.params.ma_short}`);

  // One fund in scope: the best two combinations on it open side by side with their curves.
  const first = (summary.funds as { fund_code: string; fund_name: string }[]).find((f) => f.fund_code === codes[0]);
  await pickOption(
    page,
    () => page.getByLabel("scope").click(),
    `${codes[0]} ${first?.fund_name}`,
    () => expect(page.getByTestId("compare-top-two")).toBeEnabled({ timeout: 5_000 }),
  );
  await page.getByTestId("compare-top-two").click();
  await expect(page).toHaveURL(/compare=\d+,\d+/);
  const cmp = page.getByTestId("backtest-compare");
  await expect(cmp).toContainText("回测对比（2 个）");
  await expect(cmp.locator("canvas").first()).toBeVisible();
  await expect(cmp.locator("[data-differs]").first()).toBeVisible(); // different params
  await page.screenshot({ path: "test-results/sweep-compare.png", fullPage: true });

  // In the history: a sweep, five funds × six combinations; the form remembers the ranges swept.
  await page.goto("/backtests");
  await page.getByTestId("backtest-mode").getByText("参数扫描").click();
  await expect(page.getByLabel("sweep ma_short")).toHaveValue("5..10 step 5");
  await expect(page.getByLabel("sweep ma_long")).toHaveValue("20, 40, 60");
  const row = page.getByTestId("backtest-history").locator("tbody tr").first();
  await expect(row).toContainText("扫描");
  await expect(row).toContainText("5 × 6");
  // Two batches compared: the sweep and its re-run over another window.
  const rerun = await request.post(`/api/backtests/batches/${batchId}/rerun`, { data: { start: "2023-01-03" } });
  expect(rerun.status()).toBe(201);
  const again = (await rerun.json()).batch_id as string;
  await page.reload();
  await page.getByLabel(`compare batch ${batchId}`).check();
  await page.getByLabel(`compare batch ${again}`).check();
  await page.getByTestId("batch-compare-selected").click();
  const batches = page.getByTestId("batch-compare");
  await expect(batches).toContainText("批次对比（2 个）");
  await expect(batches.locator("[data-differs]").filter({ hasText: "2023-01-03" })).toBeVisible();
  await page.screenshot({ path: "test-results/backtests-batch-compare.png", fullPage: true });
  await request.post(`/api/tasks/batches/${again}/cancel`, { data: {} });
});

test("funds and signals API: pages, NAV series, 202 for signal batches, 4xx for bad input", async ({ request }) => {
  const funds = await (await request.get("/api/funds?page=2&page_size=10")).json();
  expect(funds).toMatchObject({ page: 2, page_size: 10, total: 200 });
  const code = funds.items[0].code as string;
  const nav = await (await request.get(`/api/funds/${code}/nav?from=2024-01-01`)).json();
  expect(nav.points[0].date >= "2024-01-01").toBe(true);
  expect((await request.get("/api/funds/999999/nav")).status()).toBe(404);
  const res = await request.post("/api/funds/signals/batch_async", { data: { fund_codes: [code] } });
  expect(res.status()).toBe(202);
  const { task_id } = await res.json();
  await expect
    .poll(async () => (await (await request.get(`/api/funds/signals/batch_async/${task_id}`)).json()).status, { timeout: 20_000 })
    .toBe("succeeded");
  const page = await (await request.get(`/api/funds/signals/batch_async/${task_id}?page=1&page_size=10`)).json();
  expect(page).toMatchObject({ task_id, total: 1, expected: 1, page: 1 });
  expect(page.items[0].fund_code).toBe(code);
  for (const bad of [{}, { all: true, fund_codes: [code] }, { fund_codes: [] }, { all: true, params: { rsi_period: 1 } }, { fund_codes: ["../x"] }]) {
    const r = await request.post("/api/funds/signals/batch", { data: bad });
    expect(r.status(), JSON.stringify(bad)).toBe(400);
  }
  expect((await request.post("/api/strategies/nope/execute", { data: {} })).status()).toBe(404);
  expect((await request.post("/api/strategies/momentum_top_n/execute", { data: { params: { topn: 5 } } })).status()).toBe(400);
  expect((await request.get(`/api/funds/signals/batch_async/${task_id}?page_size=9999`)).status()).toBe(400);
});
