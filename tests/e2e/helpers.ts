/** Helpers for the browser and HTTP tests. */
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, type APIRequestContext, type Browser, type Locator, type Page } from "@playwright/test";
import type { Role } from "@/contracts/roles";

let counter = 0;

/** Creates a user with `role` through the admin API; returns its credentials. */
export async function createUser(admin: APIRequestContext, role: Role): Promise<{ id: string; username: string; password: string }> {
  const username = `${role}-${Date.now()}-${++counter}`;
  const password = `pw-${username}-secret`;
  const res = await admin.post("/api/users", { data: { username, password, role } });
  expect(res.status(), await res.text()).toBe(201);
  return { id: (await res.json()).user.id, username, password };
}

/** A browser context signed in as the given user (through the login API). */
export async function signedInContext(browser: Browser, baseURL: string, creds: { username: string; password: string }) {
  const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const res = await context.request.post("/api/auth/login", { data: { username: creds.username, password: creds.password } });
  expect(res.status()).toBe(200);
  return context;
}

const CLI = path.resolve(import.meta.dirname, "../../scripts/qtask.mjs");

/** Runs the `qtask` command line (scripts/qtask.mjs) as a child process; resolves with its exit code and output. */
export function qtask(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = "";
    let err = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr.on("data", (b: Buffer) => (err += b.toString()));
    p.on("exit", (code) => resolve({ code, out, err }));
  });
}

/**
 * Picks the option titled `title` of an antd select that `open` opens (or types into), and
 * waits until `taken` (an assertion with a short timeout) passes, showing the page reacted.
 * Picked again if it did not take: on a loaded machine a click on an option of a dropdown still
 * opening is sometimes lost, and the page then stays as it was (seen in the schedule form and,
 * in CI on 2026-12-07, in 新建任务 and in a sweep's scope). Only for single selects: a second
 * click on an option of a multiple select would take it out again. The option is looked for in
 * the open dropdown only: a multiple select elsewhere on the page shows its picks as tags with
 * the same titles (the backtest form's funds, beside a sweep's scope).
 */
export async function pickOption(page: Page, open: () => Promise<void>, title: string | RegExp, taken: () => Promise<void>) {
  const option = page.locator(".ant-select-dropdown:visible").getByTitle(title, { exact: true });
  await expect(async () => {
    if (!(await option.isVisible())) await open();
    await option.click({ timeout: 2_000 });
    await taken();
  }).toPass({ timeout: 15_000 });
}

/** pickOption for a form's 任务类型 select (`search`, if given, is typed into it to filter). */
export async function pickTaskType(page: Page, dialog: Locator, title: string, taken: () => Promise<void>, search?: string) {
  const select = dialog.getByLabel("任务类型");
  await pickOption(page, () => (search ? select.fill(search) : select.click()), title, taken);
}
