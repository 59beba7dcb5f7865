/**
 * `npm start`'s launcher as a user runs it: a fresh database gets migrations and demo data,
 * the web server and the worker come up, a killed worker is restarted, and SIGTERM stops
 * everything. (Runs after the build, like the other Playwright tests.)
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";

const PORT = 3107;
const base = `http://127.0.0.1:${PORT}`;
const dir = path.resolve(".data", "e2e-launcher");

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET /api/health (the workers are listed to a signed-in caller only). */
async function health(cookie?: string): Promise<{ workers?: { id: string }[] } | null> {
  try {
    const res = await fetch(`${base}/api/health`, { headers: cookie ? { cookie } : {} });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

test("npm start: demo data, worker restart after kill -9, clean stop on SIGTERM", async () => {
  test.setTimeout(120_000);
  fs.rmSync(dir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(PORT), HOST: "127.0.0.1", DATABASE_URL: `file:${dir}/qtask.db` };
  // No ADMIN_* variables: the launcher must generate the first admin's password.
  for (const k of ["QTASK_NO_SEED", "ADMIN_USERNAME", "ADMIN_PASSWORD"]) delete env[k];
  env.DEMO_FUNDS = "50";
  const launcher = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  launcher.stdout.on("data", (b: Buffer) => (out += b.toString()));
  launcher.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => launcher.on("exit", (code) => r(code)));
  try {
    await expect.poll(() => out.includes(`ready: http://127.0.0.1:${PORT}`), { timeout: 90_000 }).toBe(true);
    expect(out).toContain("empty database: loaded");
    expect(out).toContain("loaded 50 demo funds");
    expect(fs.existsSync(path.join(dir, "qtask.db"))).toBe(true);
    // The database is the owner's alone: its folder 0700, the file and its WAL 0600, and .data 0700.
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    expect(mode(dir)).toBe(0o700);
    for (const f of ["qtask.db", "qtask.db-wal", "qtask.db-shm"]) expect(mode(path.join(dir, f))).toBe(0o600);
    expect(mode(path.resolve(".data"))).toBe(0o700);

    // The first admin got a generated password, printed once and kept in an owner-only file.
    const printed = /password: (\S+)/.exec(out)?.[1];
    expect(printed).toBeTruthy();
    const file = path.join(dir, "admin-password.txt");
    expect(fs.readFileSync(file, "utf8")).toContain(`password: ${printed}`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: printed }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];

    // Demo data is there and the worker runs it.
    await expect
      .poll(async () => (await (await fetch(`${base}/api/tasks/1`, { headers: { cookie } })).json()).task?.status, { timeout: 20_000 })
      .toBe("succeeded");

    // Worker ids name hosts and pids: not for callers without a session.
    expect(await health()).toEqual({ status: "ok", database: "ok" });
    const first = await expect
      .poll(async () => (await health(cookie))?.workers?.length ?? 0, { timeout: 20_000 })
      .toBe(1)
      .then(() => health(cookie));
    const workerId = first!.workers![0].id;
    const workerPid = Number(workerId.split("-").at(-2));
    expect(alive(workerPid)).toBe(true);
    process.kill(workerPid, "SIGKILL");
    await expect.poll(() => out.includes("worker exited (SIGKILL); restarting"), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await health(cookie))?.workers?.some((w) => w.id !== workerId), { timeout: 20_000 }).toBe(true);
    const second = (await health(cookie))!.workers!.find((w) => w.id !== workerId)!;
    const secondPid = Number(second.id.split("-").at(-2));

    launcher.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(alive(secondPid)).toBe(false);
    expect(await health()).toBeNull();
  } finally {
    if (launcher.exitCode === null) launcher.kill("SIGKILL");
  }
});
