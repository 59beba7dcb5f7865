/**
 * The running app for the HTTP figures: the real launcher (`node --import tsx scripts/start.ts`)
 * on a bench database, web server only (QTASK_NO_WORKER=1, so nothing drains what the bench
 * enqueues), no demo data (QTASK_NO_SEED=1, DEMO_FUNDS=0), signed in as the admin it creates
 * from ADMIN_USERNAME/ADMIN_PASSWORD. The launcher builds Next when the build is stale; the
 * bench waits for a `next build` another process is running in this checkout first, so two
 * builds never write .next at once.
 */
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { sourceFingerprint } from "../../scripts/lib/build";
import { commandLine, explain, processTree, root, spawnChild, type Child, childPids } from "./procs";
import { say, sleep } from "./log";

export const BENCH_PORT = Number(process.env.BENCH_PORT ?? 3300);
const ADMIN = { username: "bench", password: "bench-password-0123" };

export interface App {
  base: string;
  child: Child;
  cookie: string;
  /** pid of the `next start` process (the launcher's child). */
  webPid: number;
  /** Whether this start had to build Next. */
  built: boolean;
  request(method: string, p: string, body?: unknown): Promise<{ status: number; ms: number; text: string }>;
  stop(): Promise<void>;
}

function buildIsStale(): boolean {
  const stamp = path.join(root, ".next", "qtask-build-fingerprint");
  return !(fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === sourceFingerprint(root));
}

/** pids of `next build` processes working in this checkout. */
function otherBuilds(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmd = commandLine(Number(name));
    if (!/\bnext\b/.test(cmd) || !/\sbuild\b/.test(cmd)) continue;
    try {
      if (fs.readlinkSync(`/proc/${name}/cwd`) === root) out.push(Number(name));
    } catch {
      /* gone or not ours */
    }
  }
  return out;
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** Starts the launcher on `url` and signs in. */
export async function startApp(url: string): Promise<App> {
  if (await portInUse(BENCH_PORT)) throw new Error(`port ${BENCH_PORT} is already in use (another bench? set BENCH_PORT)`);
  for (let waited = 0; otherBuilds().length > 0; waited += 5) {
    if (waited === 0) say(`another \`next build\` is running in this checkout (pid ${otherBuilds().join(", ")}); waiting for it to finish…`);
    if (waited > 900) throw new Error("another next build has been running for 15 minutes");
    await sleep(5_000);
  }
  const built = buildIsStale();
  if (built) say("the Next build is stale: the launcher builds it first (a minute or two)…");
  const base = `http://127.0.0.1:${BENCH_PORT}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    PORT: String(BENCH_PORT),
    HOST: "127.0.0.1",
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    DEMO_FUNDS: "0",
    QTASK_NO_SEED: "1",
    QTASK_NO_WORKER: "1",
  };
  const child = spawnChild("launcher", ["--import", "tsx", path.join(root, "scripts", "start.ts")], env, (line) => {
    // The launcher's own lines (build, migrations), not every line of the web server.
    if (/^\[qtask\]/.test(line) && !/ready:/.test(line)) say(`  launcher: ${line.replace(/^\[qtask\]\s*/, "")}`);
    else if (/^\s*(▲|✓|Creating an optimized|Compiled|Error|error)/.test(line)) say(`  launcher: ${line.trim()}`);
  });
  try {
    const until = Date.now() + 20 * 60_000;
    for (;;) {
      if (!child.alive()) throw new Error(`the launcher exited (${child.proc.exitCode ?? child.proc.signalCode})\n${explain(child)}`);
      if (Date.now() > until) throw new Error(`the app did not answer within 20 minutes\n${explain(child)}`);
      try {
        const res = await fetch(`${base}/api/health`);
        if (res.ok) break;
      } catch {
        /* not up yet */
      }
      await sleep(300);
    }
    // The launcher runs the web server as scripts/web.ts (Next.js in-process behind a small
    // HTTP server); `next start`, which older launchers ran, renames itself "next-server (vX)".
    const webPid = childPids(child.pid).find((p) => /scripts\/web\.ts|next-server|\bnext\b.*\sstart\b/.test(commandLine(p)));
    if (!webPid) throw new Error(`could not find the launcher's next start process (children: ${processTree(child.pid).join(", ")})`);
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    if (!login.ok) throw new Error(`signing in failed: ${login.status} ${await login.text()}`);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    if (!cookie) throw new Error("signing in set no cookie");
    const app: App = {
      base,
      child,
      cookie,
      webPid,
      built,
      async request(method, p, body) {
        const t0 = performance.now();
        const res = await fetch(base + p, {
          method,
          headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        return { status: res.status, ms: performance.now() - t0, text };
      },
      stop: () => child.stop(30_000),
    };
    return app;
  } catch (err) {
    await child.stop(10_000);
    throw err;
  }
}
