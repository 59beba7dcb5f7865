/**
 * The frame of the dashboard: the navigation spans the full height of a long page however far
 * it is scrolled, and the light/dark switch changes antd's theme, is remembered across reloads
 * (a cookie), and switches back.
 */
import { expect, test } from "@playwright/test";

for (const path of ["/tasks", "/schedules"]) {
  test(`the sider reaches the bottom of a long page (${path})`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 480 });
    await page.goto(path);
    await expect(page.getByTestId("sider")).toBeVisible();
    // Long once its table has loaded.
    const scrollHeight = () => page.evaluate(() => document.documentElement.scrollHeight);
    await expect.poll(scrollHeight, { timeout: 10_000 }).toBeGreaterThan(480);
    const height = await scrollHeight();
    for (const y of [0, height]) {
      await page.evaluate((to) => window.scrollTo(0, to), y);
      const box = (await page.getByTestId("sider").boundingBox())!;
      expect(box.y).toBeLessThanOrEqual(0);
      expect(box.y + box.height).toBeGreaterThanOrEqual(480);
    }
  });
}

test("switch to dark and back; the choice survives a reload", async ({ page }) => {
  await page.goto("/tasks");
  const html = page.locator("html");
  const body = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  // The theme paints the page once the app has started in the browser.
  await expect.poll(body).not.toBe("rgba(0, 0, 0, 0)");
  const lightBg = await body();
  const toggle = page.getByTestId("theme-switch");
  await expect(toggle).toHaveText("深色");
  await toggle.click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveText("浅色");
  await expect.poll(body).not.toBe(lightBg);
  // A card is dark too (antd's dark algorithm), not only the page behind it.
  const cardBg = await page
    .locator(".ant-card")
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor);
  const [r, g, b] = cardBg.match(/\d+/g)!.map(Number);
  expect(r + g + b).toBeLessThan(3 * 60);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await page.getByTestId("theme-switch").click();
  await expect(html).toHaveAttribute("data-theme", "light");
  await expect.poll(body).toBe(lightBg);
});
