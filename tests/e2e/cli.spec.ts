/**
 * The `qtask` command line (scripts/qtask.mjs, `npx qtask`) as a child process against the
 * running app and its worker, with an API token: exit codes a shell script relies on, `--wait`,
 * `logs --follow` printing a running task's lines until it ends, `status`, and usage errors.
 */
import { expect, test } from "@playwright/test";
import { qtask } from "./helpers";

test("qtask: enqueue --wait exits 0 or 1 by the outcome, logs --follow streams a running task to its end, status and usage", async ({
  request,
  baseURL,
}) => {
  const created = await request.post("/api/auth/tokens", { data: { name: `cli-${Date.now()}`, role: "operator" } });
  expect(created.status()).toBe(201);
  const env = { QTASK_URL: baseURL!, QTASK_TOKEN: (await created.json()).secret as string };

  const ok = await qtask(["enqueue", "sleep", "--payload", '{"ms":200}', "--wait"], env);
  expect(ok.code, ok.err).toBe(0);
  const okId = ok.out.trim();
  expect(okId).toMatch(/^\d+$/);
  expect(ok.err).toContain(`task ${okId} succeeded`);

  const bad = await qtask(["enqueue", "flaky", "--payload", '{"fail_times":5}', "--max-attempts", "1", "--wait"], env);
  expect(bad.code, bad.err).toBe(1);
  expect(bad.err).toMatch(/failed: Error: flaky: attempt 1 of 5 planned failures/);

  // status: 0 succeeded, 1 failed, 3 not finished.
  expect((await qtask(["status", okId], env)).code).toBe(0);
  expect((await qtask(["status", bad.out.trim()], env)).code).toBe(1);

  // logs --follow on a running task: prints its lines as they come and returns when it ends.
  const running = await qtask(["enqueue", "sleep", "--payload", '{"ms":2500}'], env);
  const taskId = running.out.trim();
  let runId = "";
  await expect
    .poll(async () => (runId = (await (await request.get(`/api/tasks/${taskId}`)).json()).runs[0]?.id ?? ""), { timeout: 15_000 })
    .not.toBe("");
  const st = await qtask(["status", taskId], env);
  expect(st.code).toBe(3);
  const follow = await qtask(["logs", runId, "--follow"], env);
  expect(follow.code).toBe(0);
  expect(follow.out).toContain("sleeping 2500 ms");
  expect(follow.out).toContain("slept 2 s");
  expect(follow.out.trim().split("\n").at(-1)).toMatch(/INFO\s+succeeded/);

  // Usage errors are 2; an API refusal is 1 with the server's message; no token is a refusal.
  expect((await qtask(["enqueue"], env)).code).toBe(2);
  expect((await qtask(["frobnicate"], env)).code).toBe(2);
  const unknownType = await qtask(["enqueue", "no_such_type"], env);
  expect(unknownType.code).toBe(1);
  expect(unknownType.err).toContain("400");
  expect((await qtask(["status", okId], { QTASK_URL: baseURL!, QTASK_TOKEN: "" })).code).toBe(1);
  expect((await qtask(["status", okId], { QTASK_URL: "http://127.0.0.1:9", QTASK_TOKEN: "x" })).code).toBe(4);
});
