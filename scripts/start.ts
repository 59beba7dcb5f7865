/**
 * `npm start`: one command that runs qtask on a fresh machine.
 *
 * Creates .data/, applies migrations, loads demo data into an empty database, builds the
 * web app when the build is missing or stale, then runs the web server (scripts/web.ts:
 * Next.js behind our own HTTP server) and the worker. The worker is restarted with backoff
 * when it dies; SIGTERM/SIGINT are forwarded to both and the launcher exits when both have
 * stopped. Environment: DATABASE_URL (default SQLite at
 * .data/qtask.db), PORT (3000), HOST (127.0.0.1), QTASK_NO_WORKER=1 to run the web only,
 * QTASK_NO_SEED=1 to skip the demo tasks, DEMO_FUNDS (default 2000; 0: no demo funds), and the
 * worker's QTASK_* settings (README).
 */
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "./lib/build";
import { databaseUrl, providerOf, sqliteFile } from "../src/db/url";
import { migrate } from "../src/db/migrate";
import { openDatabase } from "../src/db/client";
import { AlertLoop, alertsEveryMs } from "../src/alerts/loop";
import { connOf } from "../src/queue/sql/executor";
import { DB_DIR_MODE, secureSqliteFile } from "../src/db/files";
import { isFresh, seedDemo, seedFunds } from "../src/demo/seed";
import { backfillActions } from "../src/domain/series";
import { ensureAdmin } from "../src/server/auth/bootstrap";
import { catalogueFile, loadCatalogueFile } from "../src/server/schedule/cataloguePlan";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const say = (m: string) => console.log(`[qtask] ${m}`);

// The task catalogue reads the script types of config/tasks.yaml as it loads: an invalid
// `scripts:` section stops everything here, with its line, before anything starts.
const { registry } = await import("../src/tasks").catch((err: Error) => {
  console.error(`[qtask] ${err.name === "ScriptCatalogueError" ? err.message : (err.stack ?? err.message)}`);
  process.exit(1);
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
let url = databaseUrl();
if (providerOf(url) === "sqlite") {
  // Absolute, so that the web server and the worker open the very same file.
  const file = path.resolve(root, sqliteFile(url));
  secureSqliteFile(file);
  url = `file:${file}`;
}
// .data holds the database, the generated admin password and imports: the owner's alone,
// also when an older version created it world-readable.
fs.mkdirSync(path.join(root, ".data"), { recursive: true, mode: DB_DIR_MODE });
fs.chmodSync(path.join(root, ".data"), DB_DIR_MODE);
const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: "1", PORT: String(port) };

say(`database: ${providerOf(url) === "sqlite" ? sqliteFile(url) : url.replace(/\/\/[^@]*@/, "//***@")}`);
migrate(url);
{
  const database = await openDatabase(url);
  if (process.env.QTASK_NO_SEED !== "1" && (await isFresh(database))) say(`empty database: loaded ${await seedDemo(database, registry)} demo tasks`);
  // Demo fund universe (DEMO_FUNDS, default 2000; 0 for none) when the instruments table is empty; a few seconds.
  if (process.env.DEMO_FUNDS !== "0" && (await database.db.instrument.count()) === 0) say(`loaded ${await seedFunds(database.db)} demo funds`);
  // Series stored before corporate actions existed: their dividends inferred once (unit vs accumulated NAV).
  const backfilled = await backfillActions(database.db);
  if (backfilled) say(`inferred the dividends of ${backfilled} series stored before corporate actions were kept`);
  // The generated password file sits beside the SQLite file (default .data/), so separate databases keep separate files.
  const dataDir = providerOf(url) === "sqlite" ? path.dirname(sqliteFile(url)) : path.join(root, ".data");
  const admin = await ensureAdmin(database.db, process.env, dataDir);
  if (admin.generatedPassword) {
    // Printed this once; also kept in a file only the owner can read.
    say("─".repeat(64));
    say(`first start: created the admin account`);
    say(`  username: ${admin.username}`);
    say(`  password: ${admin.generatedPassword}`);
    say(`  (also saved in ${path.relative(root, admin.passwordFile as string)}, readable only by you)`);
    say("─".repeat(64));
  } else if (admin.created) say(`created the admin account ${admin.username} from ADMIN_USERNAME/ADMIN_PASSWORD`);
  // The predefined schedules and groups: new entries added, changed ones updated, UI-made ones kept.
  const file = catalogueFile(root);
  const cat = await loadCatalogueFile(database.db, registry, file);
  if (cat.problems) {
    say(`${path.relative(root, file)} was NOT loaded (nothing changed):`);
    for (const p of cat.problems.slice(0, 20)) say(`  ${p.line !== null ? `line ${p.line}: ` : ""}${p.path ? `${p.path}: ` : ""}${p.message}`);
  } else if (cat.added.length || cat.updated.length) {
    say(`${path.relative(root, file)}: ${cat.added.length} schedule(s) added, ${cat.updated.length} updated, ${cat.unchanged} unchanged`);
  }
  await database.close();
}
buildIfStale(root, say);

const nodeBin = process.execPath;

let shuttingDown = false;
let web: ChildProcess | null = null;
let worker: ChildProcess | null = null;

/** Prefixes each line of a child's output. */
function pipe(child: ChildProcess, name: string): void {
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ] as const) {
    let rest = "";
    stream?.on("data", (buf: Buffer) => {
      const lines = (rest + buf.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const l of lines) out.write(`[${name}] ${l}\n`);
    });
    stream?.on("end", () => rest && out.write(`[${name}] ${rest}\n`));
  }
}

function startWeb(): void {
  // Next.js behind our own HTTP server (scripts/web.ts), which decides the client's address.
  web = spawn(nodeBin, ["--import", "tsx", path.join(root, "scripts", "web.ts")], {
    env: { ...env, NODE_ENV: "production", HOST: host },
    stdio: ["ignore", "pipe", "pipe"],
  });
  pipe(web, "web");
  web.on("exit", (code, signal) => {
    web = null;
    if (!shuttingDown) {
      say(`web server exited (${signal ?? code}); stopping`);
      void shutdown(1);
    } else maybeExit();
  });
}

let workerFailures = 0;
let workerStartedAt = 0;
function startWorker(): void {
  workerStartedAt = Date.now();
  // `node --import tsx` keeps the worker a single process, so signals reach it directly.
  worker = spawn(nodeBin, ["--import", "tsx", path.join(root, "scripts", "worker.ts")], { env, stdio: ["ignore", "pipe", "pipe"] });
  pipe(worker, "worker");
  worker.on("exit", (code, signal) => {
    worker = null;
    if (shuttingDown) return maybeExit();
    // Backoff doubles per quick failure (1 s … 30 s) and resets after a minute of uptime.
    workerFailures = Date.now() - workerStartedAt > 60_000 ? 1 : workerFailures + 1;
    const delay = Math.min(30_000, 1000 * 2 ** (workerFailures - 1));
    say(`worker exited (${signal ?? code}); restarting in ${delay / 1000} s`);
    setTimeout(() => !shuttingDown && startWorker(), delay);
  });
}

let exitCode = 0;
function maybeExit(): void {
  if (!web && !worker) process.exit(exitCode);
}

async function shutdown(code: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  exitCode = code;
  say("stopping web server and worker…");
  void alertLoop.stop();
  web?.kill(signal);
  // The worker drains: running tasks get its grace period to finish.
  worker?.kill("SIGTERM");
  maybeExit();
  setTimeout(() => {
    say("children did not stop in time; killing them");
    web?.kill("SIGKILL");
    worker?.kill("SIGKILL");
    process.exit(code || 1);
  }, 60_000).unref();
}

for (const s of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(s, () => void shutdown(0, s === "SIGHUP" ? "SIGTERM" : s));
// When whatever started us goes away without signalling (npm killed by SIGTERM exits without
// forwarding it), we are re-parented: stop the children instead of leaving them behind.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void shutdown(0), 1_000).unref();

// Alert rules are checked here too (and by every worker; one at a time holds the lease), so
// "no worker online" is noticed when no worker is.
const alertDb = await openDatabase(url);
const alertLoop = new AlertLoop(alertDb, connOf(alertDb.db, alertDb.provider), registry, `launcher-${os.hostname()}-${process.pid}`, alertsEveryMs(), say);
alertLoop.start();

startWeb();
if (process.env.QTASK_NO_WORKER !== "1") startWorker();

// Announce the URL once the server answers.
const shown = host === "0.0.0.0" ? "localhost" : host;
for (let i = 0; i < 600 && !shuttingDown; i++) {
  try {
    const res = await fetch(`http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/api/health`);
    if (res.ok) {
      say(`ready: http://${shown}:${port}`);
      break;
    }
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}
