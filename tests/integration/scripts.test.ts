/**
 * Script tasks end to end (both databases, real workers, real programs; the types are those of
 * tests/fixtures/scripts/tasks.yaml): the line protocol (progress, both streams, result, rows),
 * exit codes and retries, cancel and timeout ending the whole process group, a worker's SIGTERM
 * handing the task back, a worker's kill -9 ending its scripts with the task rescued and done
 * exactly once, argv built from whole values, the environment limited to what is declared,
 * bounded memory under a flood of output, clear failures for a missing program or folder, and
 * a worker that refuses an invalid `scripts:` section.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { Registry } from "@/queue/registry";
import { registry as shipped } from "@/tasks";
import { parseScripts, scriptType } from "@/tasks/scripts";
import { cancelTask } from "@/queue/sql/control";
import { execute, type Conn } from "@/queue/sql/executor";
import { sql } from "@/db/dialect";
import { workerArgs } from "../../scripts/lib/workers";
import { finishedTask, freshDb, providers, waitFor, type TestDb } from "./support/db";
import { runLogMessages } from "./support/logs";
import { startWorker, type WorkerProcess } from "./support/processes";
import { fixtureServer } from "./support/http";

const FILE = "tests/fixtures/scripts/tasks.yaml";
const registry = new Registry([...shipped.list(), ...parseScripts(fs.readFileSync(FILE, "utf8"), FILE, new Set(shipped.names())).map(scriptType)]);
const WORKER_ENV = { QTASK_TASKS_FILE: FILE, QTASK_QUEUES: "scripts:8,default", QTASK_CONCURRENCY: "10", JOB_NUM: "1" };

/**
 * PostgreSQL: a worker stopped with SIGSTOP keeps its database session, so an idle slot it
 * offered could be handed the next task (see the hand-off in README), which it would hold until
 * that lease runs out. These tests stop a worker so that another one runs the script: the
 * stopped one's offer is taken away (it withdraws nothing when it resumes, and carries on).
 */
async function withdrawOffer(conn: Conn, pid: number): Promise<void> {
  await execute(conn, sql`DELETE FROM worker_offers WHERE worker_id LIKE ${`%-${pid}-%`}`);
}

/** Whether a process exists and is not a zombie (a reparented child may wait for its reaper). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The peak resident memory of a process so far, in MiB. */
function peakMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) / 1024;
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`script tasks on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    const extra: WorkerProcess[] = [];
    const task = (id: number) => t.database.db.task.findUniqueOrThrow({ where: { id } });
    const run = (id: number) => t.database.db.run.findUniqueOrThrow({ where: { id } });
    /** The pids the sleeper reported (its own and its child's), once it has. */
    const pidsOf = (id: number) =>
      waitFor(
        async () => {
          const runId = (await task(id)).runId;
          if (!runId) return null;
          const line = await t.database.db.runLog.findFirst({ where: { runId, message: "pids" } });
          return line ? (JSON.parse(line.data as string) as { script: number; child: number }) : null;
        },
        20_000,
        `task ${id} reporting its pids`,
      );

    beforeAll(async () => {
      t = await freshDb(kind);
      worker = await startWorker(t.url, { ...WORKER_ENV, PASSED: "yes", NOT_PASSED: "worker-secret" });
    });
    afterEach(async () => {
      for (const w of extra.splice(0)) await w.stop("SIGKILL");
    });
    afterAll(async () => {
      await worker?.stop("SIGKILL");
      await t?.drop();
    });

    it("relays both streams, progress, rows and the result through the line protocol", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "t_protocol", payload: {} });
      const done = await finishedTask(t, id);
      expect(done.status).toBe("succeeded");
      expect(JSON.parse(done.result!)).toEqual({ label: "two words", payload: { label: "two words" } });
      expect([done.progress, done.progressMessage]).toEqual([100, "fetching"]);
      const rows = await t.database.db.resultRow.findMany({ where: { taskId: id }, orderBy: { rowKey: "asc" } });
      expect(rows.map((r) => [r.rowKey, JSON.parse(r.data)])).toEqual([
        ["000001", { nav: 1.5 }],
        ["000002", { nav: 2.25 }],
      ]);
      const lines = await t.database.db.runLog.findMany({ where: { runId: done.runId! }, orderBy: { seq: "asc" } });
      const byText = (m: string) => lines.find((l) => l.message === m);
      expect(byText("plain stdout for two words")).toMatchObject({ level: "info", data: '{"stream":"stdout"}' });
      expect(byText("plain stderr line")).toMatchObject({ level: "warn", data: '{"stream":"stderr"}' });
      expect(byText("structured")).toMatchObject({ level: "warn", data: '{"n":7}' });
      expect(byText("::qtask:: {not json")).toMatchObject({ level: "info" });
      expect(lines.some((l) => l.message.includes("::qtask:: line that is not JSON"))).toBe(true);
      const info = JSON.parse((await run(done.runId!)).info!) as Record<string, unknown>;
      expect(info).toMatchObject({
        argv: ["python3", "tests/fixtures/scripts/protocol.py", "two words"],
        exit_code: 0,
        signal: null,
        host: os.hostname(),
      });
      expect(info.pid).toEqual(expect.any(Number));
    });

    it("fails on a non-zero exit with the code and the last stderr lines, and retries", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "t_flaky", payload: {} });
      const done = await finishedTask(t, id);
      expect(done.status).toBe("succeeded");
      const runs = await t.database.db.run.findMany({ where: { taskId: id }, orderBy: { id: "asc" } });
      expect(runs.map((r) => r.status)).toEqual(["failed", "succeeded"]);
      expect(runs[0].error).toMatch(/^Error: exit code 3; stderr ended with:\nthe feed was not ready\n\s+at /);
      expect(JSON.parse(runs[0].info!)).toMatchObject({ exit_code: 3 });
    });

    it("ends the whole process group on cancel and on timeout, children included", async () => {
      const cancelled = await enqueue(t.conn, registry, { type: "t_sleeper", payload: {} });
      const timedOut = await enqueue(t.conn, registry, { type: "t_sleeper", payload: {}, timeoutMs: 3_000, maxAttempts: 1 });
      const [a, b] = [await pidsOf(cancelled.id), await pidsOf(timedOut.id)];
      for (const pid of [a.script, a.child, b.script, b.child]) expect(alive(pid)).toBe(true);
      await cancelTask(t.conn, cancelled.id);
      expect((await finishedTask(t, cancelled.id)).status).toBe("cancelled");
      expect((await finishedTask(t, timedOut.id)).status).toBe("failed");
      expect((await t.database.db.run.findFirstOrThrow({ where: { taskId: timedOut.id } })).status).toBe("timed_out");
      await waitFor(() => ![a.script, a.child, b.script, b.child].some(alive), 5_000, "every process of both groups gone");
    });

    it("builds argv from whole values, refuses option-like values, and passes only the declared environment", async () => {
      const args = await enqueue(t.conn, registry, { type: "t_args", payload: { word: "a b; rm -rf / $(id)", n: -2, token: "s3cret" } });
      const ran = await finishedTask(t, args.id);
      expect(JSON.parse(ran.result!)).toEqual(["a b; rm -rf / $(id)", "--n=-2", "--token=s3cret"]);
      // Where the command line is shown, a secret param is masked; the program got the value.
      const info = (await run(ran.runId!)).info!;
      expect(JSON.parse(info).argv.slice(-2)).toEqual(["--n=-2", "--token=***"]);
      expect((await runLogMessages(t.conn, ran.runId!)).join("\n")).not.toContain("s3cret");
      await expect(enqueue(t.conn, registry, { type: "t_args", payload: { word: "--exec=evil" } })).rejects.toThrow(/payload does not match/);
      await expect(enqueue(t.conn, registry, { type: "t_args", payload: { word: "x", extra: 1 } })).rejects.toThrow(/payload does not match/);
      const env = await enqueue(t.conn, registry, { type: "t_env", payload: {} });
      const seen = JSON.parse((await finishedTask(t, env.id)).result!) as { names: string[]; fixed: string; passed: string; secret: string | null };
      expect([seen.fixed, seen.passed, seen.secret]).toEqual(["1", "yes", null]);
      expect(seen.names).not.toContain("DATABASE_URL");
      expect(seen.names).toEqual(
        expect.arrayContaining(["QTASK_TASK_ID", "QTASK_RUN_ID", "QTASK_ATTEMPT", "QTASK_MAX_ATTEMPTS", "QTASK_PAYLOAD", "PYTHONUNBUFFERED"]),
      );
    });

    it("fails a missing program or folder with a clear error, and the worker goes on", async () => {
      const missing = await enqueue(t.conn, registry, { type: "t_missing", payload: {} });
      const badCwd = await enqueue(t.conn, registry, { type: "t_badcwd", payload: {} });
      expect((await finishedTask(t, missing.id)).error).toMatch(/^Error: could not start no-such-program-qtask-test: ENOENT/);
      expect((await finishedTask(t, badCwd.id)).error).toMatch(/^Error: cwd no\/such\/folder is not a folder on /);
      const after = await enqueue(t.conn, registry, { type: "t_env", payload: {} });
      expect((await finishedTask(t, after.id)).status).toBe("succeeded");
    });

    it("keeps the worker's memory bounded while a script prints a million lines", async () => {
      const before = peakMiB(worker.proc.pid!);
      const { id } = await enqueue(t.conn, registry, { type: "t_noisy", payload: {} });
      const done = await finishedTask(t, id, 120_000);
      expect(done.status).toBe("succeeded");
      // 101 MB went through the pipe; the log keeps the first QTASK_LOG_MAX_LINES lines.
      console.log(`[memory] peak before ${before.toFixed(0)} MiB, after ${peakMiB(worker.proc.pid!).toFixed(0)} MiB`);
      expect(peakMiB(worker.proc.pid!) - before).toBeLessThan(100);
      const lines = await runLogMessages(t.conn, done.runId!);
      expect(lines.some((l) => l.startsWith("log truncated"))).toBe(true);
    }, 180_000);

    it("hands the task back when its worker is stopped, ending the script", async () => {
      const other = await startWorker(t.url, { ...WORKER_ENV, QTASK_GRACE_MS: "500" });
      extra.push(other);
      // The main worker is paused, so the other one runs the script.
      worker.proc.kill("SIGSTOP");
      await withdrawOffer(t.conn, worker.proc.pid!);
      try {
        const { id } = await enqueue(t.conn, registry, { type: "t_sleeper", payload: {} });
        const pids = await pidsOf(id);
        await other.stop("SIGTERM");
        await waitFor(() => !alive(pids.script) && !alive(pids.child), 5_000, "the script's group gone");
        const back = await task(id);
        expect(back.status).toBe("queued");
        await cancelTask(t.conn, id);
      } finally {
        worker.proc.kill("SIGCONT");
      }
    });

    it("ends its scripts when the worker is killed, and the task is rescued and completed once", async () => {
      const marker = path.join(os.tmpdir(), `qtask-marker-${kind}-${Date.now()}`);
      const doomed = await startWorker(t.url, { ...WORKER_ENV });
      extra.push(doomed);
      worker.proc.kill("SIGSTOP");
      await withdrawOffer(t.conn, worker.proc.pid!);
      let id = 0;
      let first: { script: number; child: number };
      try {
        ({ id } = await enqueue(t.conn, registry, { type: "t_sleeper", payload: { seconds: 4, marker } }));
        first = await pidsOf(id);
        await doomed.stop("SIGKILL");
        await waitFor(() => !alive(first.script) && !alive(first.child), 5_000, "the killed worker's script gone");
      } finally {
        worker.proc.kill("SIGCONT");
      }
      // The main worker rescues it once its lease (3 s in tests) runs out, and runs it again.
      const done = await finishedTask(t, id, 60_000);
      expect(done.status).toBe("succeeded");
      const runs = await t.database.db.run.findMany({ where: { taskId: id }, orderBy: { id: "asc" } });
      expect(runs.map((r) => r.status)).toEqual(["lost", "succeeded"]);
      const events = fs.readFileSync(marker, "utf8").trim().split("\n");
      expect(events).toEqual([`start ${first!.script}`, expect.stringMatching(/^start \d+$/), expect.stringMatching(/^done \d+$/)]);
      fs.rmSync(marker, { force: true });
    }, 120_000);
  });
}

// The NAV source the shipped nav_import_py example reads in its test.
const navSource = fixtureServer((url, { json }) => {
  const code = /^\/nav\/(\w+)\.json/.exec(url)?.[1];
  if (code === "000001")
    return json({
      points: [
        { date: "2024-05-06", nav: 1.25, acc_nav: 2.5 },
        { date: "2024-05-07", nav: 1.3, acc_nav: 2.55 },
      ],
    });
  json({ error: "not found" }, 404);
});

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`the shipped script examples on ${kind}`, () => {
    let t: TestDb;
    let worker: WorkerProcess;
    const cache = path.resolve(".data/cache");
    beforeAll(async () => {
      t = await freshDb(kind);
      worker = await startWorker(t.url, {
        QTASK_QUEUES: "scripts:4",
        QTASK_NAV_SOURCE_URL: `${navSource.base}/nav/{code}.json`,
        QTASK_TASKS_FILE: "",
      });
    });
    afterAll(async () => {
      await worker?.stop("SIGKILL");
      await t?.drop();
    });

    it("nav_import_py fetches from the declared source, with progress, rows and a result", async () => {
      const { id } = await enqueue(t.conn, shipped, { type: "nav_import_py", payload: { codes: "000001,999999" } });
      const done = await finishedTask(t, id, 60_000);
      expect(done.status).toBe("succeeded");
      expect(JSON.parse(done.result!)).toEqual({ funds: 2, points: 2, failed: ["999999"] });
      const rows = await t.database.db.resultRow.findMany({ where: { taskId: id }, orderBy: { rowKey: "asc" } });
      expect(rows.map((r) => r.rowKey)).toEqual(["000001@2024-05-06", "000001@2024-05-07"]);
      expect(done.progress).toBe(100);
    });

    it("cache_cleanup_sh deletes the old files of the cache folder only", async () => {
      fs.mkdirSync(path.join(cache, "hist"), { recursive: true });
      const old = path.join(cache, "hist", `old-${kind}.csv`);
      const fresh = path.join(cache, "hist", `fresh-${kind}.csv`);
      fs.writeFileSync(old, "x");
      fs.writeFileSync(fresh, "y");
      const longAgo = new Date(Date.now() - 40 * 86_400_000);
      fs.utimesSync(old, longAgo, longAgo);
      const { id } = await enqueue(t.conn, shipped, { type: "cache_cleanup_sh", payload: { days: 30 } });
      const done = await finishedTask(t, id);
      expect(done.status).toBe("succeeded");
      expect(JSON.parse(done.result!)).toMatchObject({ deleted: 1, older_than_days: 30 });
      expect([fs.existsSync(old), fs.existsSync(fresh)]).toEqual([false, true]);
      fs.rmSync(fresh, { force: true });
    });

    it("collector_py keeps running, printing heartbeats, and stops cleanly on cancel", async () => {
      const { id } = await enqueue(t.conn, shipped, { type: "collector_py", payload: { every_seconds: 1 } });
      await waitFor(
        async () => {
          const runId = (await task(t, id)).runId;
          return runId && (await t.database.db.runLog.count({ where: { runId, message: { startsWith: "heartbeat" } } })) >= 2;
        },
        20_000,
        "two heartbeats",
      );
      await cancelTask(t.conn, id);
      const done = await finishedTask(t, id);
      expect(done.status).toBe("cancelled");
      expect(await runLogMessages(t.conn, done.runId!)).toEqual(expect.arrayContaining([expect.stringMatching(/^stopped after \d+ rounds$/)]));
    });
  });
}

const task = (t: TestDb, id: number) => t.database.db.task.findUniqueOrThrow({ where: { id } });

describe("an invalid scripts: section", () => {
  it("stops the worker before it starts, naming the line and the reason", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtask-bad-scripts-"));
    const file = path.join(dir, "tasks.yaml");
    fs.writeFileSync(
      file,
      ["version: 1", "scripts:", "  - name: bad_one", "    title: bad", "    command: [python3, x.py, '{nope}']", ""].join("\n"),
    );
    const proc = spawn(process.execPath, workerArgs(), {
      env: { ...process.env, DATABASE_URL: "file:/nonexistent/never-opened.db", QTASK_TASKS_FILE: file },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout.on("data", (b: Buffer) => (out += b));
    proc.stderr.on("data", (b: Buffer) => (out += b));
    const code = await new Promise<number | null>((r) => proc.on("exit", r));
    expect(code).toBe(1);
    expect(out).toContain(`refusing to start: ${file}:5: scripts.0.command.2: {nope} names no param`);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
