/**
 * A group's run page draws its children as a flow against the running app and its worker: a
 * chain for a sequence, a fan for a parallel group, each step coloured by its status and
 * linking to its task.
 */
import { expect, test, type APIRequestContext } from "@playwright/test";

async function group(request: APIRequestContext, mode: "sequence" | "parallel", tasks: unknown[]): Promise<string> {
  const res = await request.post("/api/tasks", { data: { type: "group", payload: { mode, tasks } } });
  expect(res.status(), await res.text()).toBe(201);
  const id = (await res.json()).task.id as string;
  await expect.poll(async () => (await (await request.get(`/api/tasks/${id}`)).json()).task.status, { timeout: 30_000 }).toBe("succeeded");
  return id;
}

test("a sequence is a chain of steps and a parallel group a fan, each step by status, linking to its task", async ({ page, request }) => {
  test.setTimeout(90_000);
  const seq = await group(request, "sequence", [{ type: "sleep", payload: { ms: 200 } }, { type: "noop" }, { type: "sleep", payload: { ms: 100 } }]);
  await page.goto(`/tasks/${seq}`);
  const flow = page.getByTestId("group-flow");
  await expect(flow).toHaveAttribute("data-mode", "sequence");
  const steps = flow.getByTestId("flow-step");
  await expect(steps).toHaveCount(3);
  for (let i = 0; i < 3; i++) await expect(steps.nth(i)).toHaveAttribute("data-status", "succeeded");
  await expect(steps.nth(0)).toContainText("1. 等待");
  await expect(steps.nth(1)).toContainText("2. 空任务");
  await expect(flow).toContainText("→");

  const par = await group(request, "parallel", [{ type: "noop" }, { type: "noop" }]);
  await page.goto(`/tasks/${par}`);
  const fan = page.getByTestId("group-flow");
  await expect(fan).toHaveAttribute("data-mode", "parallel");
  await expect(fan).toContainText("并行 2 个");
  await expect(fan.getByTestId("flow-step")).toHaveCount(2);
  // A step opens its own task.
  const href = await fan.locator("a").first().getAttribute("href");
  const childId = href?.match(/^\/tasks\/(\d+)$/)?.[1];
  expect(childId).toBeTruthy();
  await fan.getByTestId("flow-step").first().click();
  await expect(page.getByRole("navigation").getByText(`任务 #${childId}`)).toBeVisible({ timeout: 15_000 });
});
