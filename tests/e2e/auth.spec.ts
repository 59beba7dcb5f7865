/**
 * Sign-in, roles, tokens and hardening over real HTTP against the running app, and in the
 * browser: the login form, the redirect when the session ends, what a viewer sees.
 */
import { expect, test, request as pwRequest } from "@playwright/test";
import { createUser, signedInContext } from "./helpers";

const anonymous = { storageState: { cookies: [], origins: [] } };

test.describe("HTTP", () => {
  test("without credentials only the public routes answer", async ({ baseURL }) => {
    const anon = await pwRequest.newContext({ baseURL, ...anonymous });
    const health = await anon.get("/api/health");
    expect(health.status()).toBe(200);
    // Worker ids name hosts and pids: only a signed-in caller sees them.
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });
    for (const path of ["/api/auth/me", "/api/tasks/1", "/api/users", "/api/audit", "/api/auth/tokens"]) {
      const res = await anon.get(path);
      expect(res.status(), path).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    expect((await anon.post("/api/tasks", { data: { type: "noop" } })).status()).toBe(401);
    await anon.dispose();
  });

  test("a forged X-Forwarded-For changes nothing: the audit log records the socket's address", async ({ baseURL, request }) => {
    const anon = await pwRequest.newContext({ baseURL, ...anonymous });
    const username = `nobody-${Date.now()}`;
    const res = await anon.post("/api/auth/login", {
      data: { username, password: "wrong-password" },
      headers: { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" },
    });
    expect(res.status()).toBe(401);
    const audit = await (await request.get(`/api/audit?action=auth.login_failed&limit=20`)).json();
    const entry = audit.items.find((a: { target: string }) => a.target === username);
    expect(entry.ip).toBe("127.0.0.1");
    await anon.dispose();
  });

  test("a malformed path or session cookie is a 4xx, never a 5xx", async ({ baseURL }) => {
    const anon = await pwRequest.newContext({ baseURL, ...anonymous });
    for (const path of ["/api/tasks/%zz", "/api/funds/%E0%A4%A/nav", "/tasks/runs/%zz"]) {
      const res = await fetch(`${baseURL}${path}`);
      expect(res.status, path).toBe(400);
      if (path.startsWith("/api/")) expect((await res.json()).error.code).toBe("invalid_input");
    }
    const res = await anon.get("/api/tasks", { headers: { cookie: "qtask_session=%E0%A4%A" } });
    expect(res.status()).toBe(401);
    await anon.dispose();
  });

  test("login sets an HTTP-only SameSite cookie; logout ends the session", async ({ baseURL, request }) => {
    const user = await createUser(request, "operator");
    const ctx = await pwRequest.newContext({ baseURL, ...anonymous });
    const bad = await ctx.post("/api/auth/login", { data: { username: user.username, password: "wrong-password" } });
    expect(bad.status()).toBe(401);
    expect((await bad.json()).error.code).toBe("unauthorized");
    const ok = await ctx.post("/api/auth/login", { data: { username: user.username, password: user.password } });
    expect(ok.status()).toBe(200);
    const cookie = ok.headers()["set-cookie"];
    expect(cookie).toMatch(/qtask_session=qts_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await (await ctx.get("/api/auth/me")).json();
    expect(me.user).toEqual({ kind: "user", id: user.id, username: user.username, role: "operator" });
    expect((await ctx.post("/api/auth/logout")).status()).toBe(200);
    expect((await ctx.get("/api/auth/me")).status()).toBe(401);
    await ctx.dispose();
  });

  test("API tokens: shown once, work as Bearer with their role, stop working when revoked", async ({ baseURL, request }) => {
    const created = await request.post("/api/auth/tokens", { data: { name: "nightly-sync", role: "operator" } });
    expect(created.status()).toBe(201);
    const { token, secret } = await created.json();
    expect(secret).toMatch(/^qtk_/);
    expect(token).toMatchObject({ name: "nightly-sync", role: "operator", prefix: secret.slice(0, 10), revoked_at: null });
    const list = await (await request.get("/api/auth/tokens")).text();
    expect(list).not.toContain(secret);

    const script = await pwRequest.newContext({ baseURL, ...anonymous, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
    expect((await (await script.get("/api/auth/me")).json()).user).toMatchObject({ kind: "token", username: "nightly-sync", role: "operator" });
    expect((await script.post("/api/tasks", { data: { type: "noop" } })).status()).toBe(201);
    expect((await script.get("/api/users")).status()).toBe(403);

    const viewerToken = (await (await request.post("/api/auth/tokens", { data: { name: "dashboard", role: "viewer" } })).json()).secret;
    const viewer = await pwRequest.newContext({ baseURL, ...anonymous, extraHTTPHeaders: { authorization: `Bearer ${viewerToken}` } });
    expect((await viewer.post("/api/tasks", { data: { type: "noop" } })).status()).toBe(403);

    expect((await request.delete(`/api/auth/tokens/${token.id}`)).status()).toBe(200);
    expect((await script.get("/api/auth/me")).status()).toBe(401);
    await Promise.all([script.dispose(), viewer.dispose()]);
  });

  test("failed sign-ins are rate-limited per user", async ({ baseURL, request }) => {
    const user = await createUser(request, "viewer");
    const other = await createUser(request, "viewer");
    const ctx = await pwRequest.newContext({ baseURL, ...anonymous });
    for (let i = 0; i < 5; i++)
      expect((await ctx.post("/api/auth/login", { data: { username: user.username, password: "nope-nope" } })).status()).toBe(401);
    // Even the right password is refused now…
    const blocked = await ctx.post("/api/auth/login", { data: { username: user.username, password: user.password } });
    expect(blocked.status()).toBe(429);
    expect(Number(blocked.headers()["retry-after"])).toBeGreaterThan(0);
    expect((await blocked.json()).error.code).toBe("too_many_requests");
    // …while another user signs in normally.
    expect((await ctx.post("/api/auth/login", { data: { username: other.username, password: other.password } })).status()).toBe(200);
    await ctx.dispose();
  });

  test("users: roles are enforced, the last admin is protected, disabling ends sessions", async ({ baseURL, request, browser }) => {
    const op = await createUser(request, "operator");
    const opCtx = await signedInContext(browser, baseURL!, op);
    expect((await opCtx.request.get("/api/users")).status()).toBe(403);
    expect((await opCtx.request.post("/api/users", { data: { username: "x", password: "0123456789", role: "admin" } })).status()).toBe(403);

    const me = (await (await request.get("/api/auth/me")).json()).user;
    expect((await request.delete(`/api/users/${me.id}`)).status()).toBe(409);
    expect((await request.patch(`/api/users/${me.id}`, { data: { role: "viewer" } })).status()).toBe(409);
    expect((await request.post("/api/users", { data: { username: op.username, password: "0123456789x" } })).status()).toBe(409);
    expect((await request.post("/api/users", { data: { username: "short", password: "123" } })).status()).toBe(400);

    expect((await request.patch(`/api/users/${op.id}`, { data: { disabled: true } })).status()).toBe(200);
    expect((await opCtx.request.get("/api/auth/me")).status()).toBe(401);
    const again = await opCtx.request.post("/api/auth/login", { data: { username: op.username, password: op.password } });
    expect(again.status()).toBe(401);
    await opCtx.close();
  });

  test("the audit log records who did what, when and from where", async ({ request }) => {
    const task = await (await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 30_000 } } })).json();
    expect((await request.post(`/api/tasks/${task.task.id}/cancel`)).status()).toBe(200);
    const items = (await (await request.get("/api/audit?limit=50")).json()).items as {
      action: string;
      actor: string;
      target: string;
      ip: string;
      at: string;
    }[];
    const cancel = items.find((i) => i.action === "task.cancel" && i.target === task.task.id);
    expect(cancel).toMatchObject({ actor: "admin" });
    expect(cancel?.ip).toBeTruthy();
    expect(items.find((i) => i.action === "task.create" && i.target === task.task.id)).toBeTruthy();
    expect(items.some((i) => i.action === "user.create")).toBe(true);
    const filtered = (await (await request.get("/api/audit?action=task.cancel")).json()).items as { action: string }[];
    expect(filtered.every((i) => i.action === "task.cancel")).toBe(true);
    expect((await request.get("/api/audit?limit=0")).status()).toBe(400);
  });

  test("state-changing requests from another site are refused", async ({ request }) => {
    const res = await request.post("/api/tasks", { data: { type: "noop" }, headers: { origin: "http://evil.example" } });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
  });

  test("security headers on pages and API", async ({ request }) => {
    const page = await request.get("/login");
    const h = page.headers();
    expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(h["x-content-type-options"]).toBe("nosniff");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(h["referrer-policy"]).toBe("same-origin");
    const nonce = /'nonce-([^']+)'/.exec(h["content-security-policy"])![1];
    const html = await page.text();
    // Every script tag carries this response's nonce.
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
    const api = (await request.get("/api/health")).headers();
    expect(api["content-security-policy"]).toContain("default-src 'none'");
    expect(api["x-content-type-options"]).toBe("nosniff");
  });
});

test.describe("browser", () => {
  test("signing in through the form returns to the page asked for; a bad password says so", async ({ browser, baseURL, request }) => {
    const user = await createUser(request, "admin");
    const context = await browser.newContext({ baseURL, ...anonymous });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (m) => /Content Security Policy|Refused to/.test(m.text()) && violations.push(m.text()));
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login\?next=%2Faudit/);
    await page.getByLabel("用户名").fill(user.username);
    await page.getByLabel("密码").fill("not-the-password");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByTestId("login-error")).toContainText("用户名或密码错误");
    await page.getByLabel("密码").fill(user.password);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByText("审计日志").first()).toBeVisible();
    await expect(page.getByTestId("me-username")).toHaveText(user.username);
    await page.screenshot({ path: "test-results/audit-page.png", fullPage: true });
    expect(violations).toEqual([]);
    await context.close();
  });

  test("after sign-in the browser never leaves the site, however `next` is spelled", async ({ browser, baseURL, request }) => {
    const user = await createUser(request, "viewer");
    const context = await browser.newContext({ baseURL, ...anonymous });
    const page = await context.newPage();
    // A tab (or newline) the browser strips would have turned "/\t/localhost:8999/phish" into "//localhost:8999/phish".
    await page.goto("/login?next=%2F%09%2Flocalhost%3A8999%2Fphish");
    await page.getByLabel("用户名").fill(user.username);
    await page.getByLabel("密码").fill(user.password);
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page).toHaveURL(`${baseURL}/tasks`);
    await context.close();
  });

  test("when the session ends the user is sent to /login", async ({ browser, baseURL, request }) => {
    const user = await createUser(request, "operator");
    const context = await signedInContext(browser, baseURL!, user);
    const page = await context.newPage();
    await page.goto("/tasks");
    await expect(page.getByTestId("me-username")).toHaveText(user.username);
    // The session ends on the server (here: the admin disables the user).
    const admin = request;
    expect((await admin.patch(`/api/users/${user.id}`, { data: { disabled: true } })).status()).toBe(200);
    // The page's next poll gets 401 and the page goes to the sign-in form, remembering where it was.
    await expect(page).toHaveURL(/\/login\?next=%2Ftasks/, { timeout: 10_000 });
    await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
    // A full page load without a session also lands there.
    await page.goto("/users");
    await expect(page).toHaveURL(/\/login\?next=%2Fusers/);
    await context.close();
  });

  test("a viewer sees no task actions, no admin pages, and gets 403 on them", async ({ browser, baseURL, request }) => {
    const viewer = await createUser(request, "viewer");
    const operator = await createUser(request, "operator");
    const vctx = await signedInContext(browser, baseURL!, viewer);
    const queued = (await (await request.post("/api/tasks", { data: { type: "sleep", payload: { ms: 1000 }, delay_ms: 600_000 } })).json()).task.id;
    const vpage = await vctx.newPage();
    await vpage.goto("/tasks?tab=queued");
    const vrow = vpage.getByRole("row", { name: new RegExp(`#${queued}\\b`) });
    await expect(vrow.getByTestId("task-status")).toHaveText("排队中");
    await expect(vpage.getByRole("button", { name: "新建任务" })).toHaveCount(0);
    await expect(vrow.getByRole("button", { name: "取消" })).toHaveCount(0);
    await expect(vpage.getByRole("menuitem", { name: "用户与令牌" })).toHaveCount(0);
    await vpage.goto("/users");
    await expect(vpage.getByText("无权访问")).toBeVisible();

    // An operator, on the same page, sees the actions and can cancel.
    const octx = await signedInContext(browser, baseURL!, operator);
    const opage = await octx.newPage();
    await opage.goto("/tasks?tab=queued");
    await expect(opage.getByRole("button", { name: "新建任务" })).toBeVisible();
    const orow = opage.getByRole("row", { name: new RegExp(`#${queued}\\b`) });
    await orow.getByRole("button", { name: "取消" }).click();
    await expect.poll(async () => (await (await request.get(`/api/tasks/${queued}`)).json()).task.status).toBe("cancelled");
    await Promise.all([vctx.close(), octx.close()]);
  });

  test("admins manage users and tokens on the users page", async ({ page }) => {
    await page.goto("/users");
    await page.getByRole("button", { name: "新建用户" }).click();
    const name = `ui-${Date.now()}`;
    await page.getByRole("dialog").getByLabel("用户名").fill(name);
    await page.getByRole("dialog").getByLabel("初始密码").fill("a-long-password");
    await page.getByRole("dialog").getByRole("button", { name: "创建" }).click();
    await expect(page.getByRole("cell", { name, exact: true })).toBeVisible();
    // Disabling says first that the user's tokens go with it.
    await page.getByRole("switch", { name: `${name} 启用` }).click();
    await expect(page.getByRole("dialog", { name: new RegExp(`停用用户 ${name}？.*API 令牌将被吊销`) })).toBeVisible();
    await page.getByRole("button", { name: "取消" }).click();
    await expect(page.getByRole("switch", { name: `${name} 启用` })).toBeChecked();

    await page.getByRole("button", { name: "新建令牌" }).click();
    await expect(page.getByRole("dialog").getByText("90 天")).toBeVisible(); // the default expiry
    await page.getByRole("dialog").getByLabel("名称").fill(`ui-token-${Date.now()}`);
    await page.getByRole("dialog").getByRole("button", { name: "创建" }).click();
    await expect(page.getByTestId("token-secret")).toContainText("qtk_");
    await page.getByRole("button", { name: "我已保存" }).click();
    await page.screenshot({ path: "test-results/users-page.png", fullPage: true });
  });
});
