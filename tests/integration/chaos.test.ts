/**
 * Chaos: the guarantees of SPEC.md §2 under faults, with real worker processes on SQLite and
 * PostgreSQL — no task is lost and every task is finished exactly once while workers are
 * killed with kill -9, stopped with SIGTERM mid-drain, cut off from PostgreSQL, competing
 * with web-side writers for SQLite's write lock, flooded with log lines, stuck in an endless
 * compute loop, or running with clocks that disagree.
 *
 * The normal suite keeps all of this within about three minutes for both databases on a
 * two-core machine, so the numbers are scaled down (e.g. 1,000 tasks under kill -9 instead of
 * the 5,000 of issue 8). `npm run test:soak` (QTASK_SOAK=1) runs the same scenarios with the
 * full numbers: 5,000+ tasks, more kills, more connection losses, a longer flood.
 * CHAOS_SEED=<n> replays the random choices of a failed run (the seed is in the test names).
 */
import { setTimeout as sleep } from "node:timers/promises";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueue, enqueueMany, type EnqueueInput } from "@/queue/enqueue";
import { cancelTask, retryTask } from "@/queue/sql/control";
import { IllegalTransitionError } from "@/queue/states";
import { logPage } from "@/server/runs";
import { registry } from "@/tasks";
import { freshDb, providers, waitFor, type TestDb } from "./support/db";
import { startWorker, type WorkerProcess } from "./support/processes";

const SOAK = process.env.QTASK_SOAK === "1";
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

/** Scenario sizes: the normal suite's, and the soak run's (the numbers and more). */
const SIZE = SOAK
  ? {
      killTasks: 6_000,
      maxKills: 30,
      termTasks: 1_500,
      pgTasks: 3_000,
      pgDrops: 12,
      webOps: 2_400,
      floodLines: 5_000_000,
      logCap: 100_000,
      swaps: 12,
    }
  : { killTasks: 1_000, maxKills: 6, termTasks: 240, pgTasks: 800, pgDrops: 4, webOps: 480, floodLines: 1_000_000, logCap: 20_000, swaps: 3 };

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with CHAOS_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` sleep tasks of 20–200 ms that each write one result row. */
function sleepTasks(n: number, random: () => number, maxAttempts = 10): EnqueueInput[] {
  return Array.from({ length: n }, () => ({ type: "sleep", payload: { ms: 20 + Math.floor(random() * 181), rows: 1 }, maxAttempts }));
}

/** The worker id a worker process printed on start. */
function workerIdOf(w: WorkerProcess): string {
  const m = /\[worker (\S+)\] started:/.exec(w.output());
  if (!m) throw new Error(`no worker id in:\n${w.output()}`);
  return m[1];
}

/** Resident memory of a process in MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** "succeeded 990, lost 12": run statuses and how often each occurs, for the test output. */
function tally(runs: { status: string }[]): string {
  const n = new Map<string, number>();
  for (const r of runs) n.set(r.status, (n.get(r.status) ?? 0) + 1);
  return [...n].map(([k, v]) => `${k} ${v}`).join(", ");
}

const SKEWED_CLOCK = pathToFileURL(path.resolve(import.meta.dirname, "support/skewed-clock.mjs")).href;
/** What no worker may ever print: SQLite's write lock reaching a write instead of being waited for. */
const LOCK_ERRORS = /database is locked|SQLITE_BUSY/i;

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`chaos on ${kind} (seed ${SEED}${SOAK ? ", soak" : ""})`, () => {
    let t: TestDb;
    let random: () => number;
    const workers: WorkerProcess[] = [];
    const spawnWorker = async (env: Record<string, string> = {}) => {
      const w = await startWorker(t.url, env);
      workers.push(w);
      return w;
    };
    const alive = () => workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
    const countWhere = (where: Parameters<TestDb["database"]["db"]["task"]["count"]>[0]) => t.database.db.task.count(where);

    beforeEach(async () => {
      random = prng(SEED + (kind === "postgres" ? 1 : 0));
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
      await t.drop();
    });

    /**
     * The exactly-once invariants for finished tasks `ids`: every one succeeded, with exactly
     * one succeeded run (its last, the one the task points at), one run per attempt, earlier
     * runs only in `earlier` statuses, and — when the tasks write a result row — exactly one
     * row each, written by the succeeding run.
     */
    async function expectExactlyOnce(ids: number[], earlier: string[], withRows: boolean) {
      const db = t.database.db;
      // Each test has a fresh database: read everything and filter here (an `IN` list of
      // thousands of ids would exceed the SQLite driver's bind-parameter limit).
      const wanted = new Set(ids);
      const tasks = (await db.task.findMany({ select: { id: true, status: true, attempts: true, runId: true } })).filter((x) => wanted.has(x.id));
      expect(tasks).toHaveLength(ids.length);
      const notDone = tasks.filter((x) => x.status !== "succeeded");
      expect(notDone, `tasks not succeeded: ${JSON.stringify(notDone.slice(0, 5))}`).toEqual([]);
      const runs = (await db.run.findMany({ select: { id: true, taskId: true, status: true, attempt: true }, orderBy: { id: "asc" } })).filter((r) =>
        wanted.has(r.taskId),
      );
      const byTask = new Map<number, typeof runs>();
      for (const r of runs) byTask.set(r.taskId, [...(byTask.get(r.taskId) ?? []), r]);
      const problems: string[] = [];
      for (const task of tasks) {
        const rs = byTask.get(task.id) ?? [];
        const ok = rs.filter((r) => r.status === "succeeded");
        if (ok.length !== 1) problems.push(`task ${task.id}: ${ok.length} succeeded runs`);
        else if (ok[0].id !== rs[rs.length - 1].id || task.runId !== ok[0].id) problems.push(`task ${task.id}: the succeeded run is not its last`);
        if (rs.length !== task.attempts) problems.push(`task ${task.id}: ${rs.length} runs for ${task.attempts} attempts`);
        const odd = rs.filter((r) => r.status !== "succeeded" && !earlier.includes(r.status));
        if (odd.length) problems.push(`task ${task.id}: unexpected runs ${odd.map((r) => r.status).join(",")}`);
      }
      expect(problems.slice(0, 10), `${problems.length} problems`).toEqual([]);
      if (withRows) {
        const rows = (await db.resultRow.findMany({ select: { taskId: true, runId: true } })).filter((r) => wanted.has(r.taskId));
        expect(rows).toHaveLength(ids.length);
        const winner = new Map(tasks.map((x) => [x.id, x.runId]));
        expect(rows.filter((r) => winner.get(r.taskId) !== r.runId)).toEqual([]);
      }
      return runs;
    }

    it(
      "kill -9: three workers drain sleep tasks while a random worker is killed every few seconds; each task succeeds exactly once",
      async () => {
        // A short lease so killed workers' tasks come back quickly; rescue scans often.
        const env = { QTASK_CONCURRENCY: "6", QTASK_LEASE_MS: "4000", QTASK_HEARTBEAT_MS: "1000", QTASK_RESCUE_MS: "500", QTASK_POLL_MS: "500" };
        const { ids } = await enqueueMany(t.conn, registry, sleepTasks(SIZE.killTasks, random));
        await Promise.all([0, 1, 2].map(() => spawnWorker(env)));
        const left = () => countWhere({ where: { status: { not: "succeeded" } } });
        let kills = 0;
        while (kills < SIZE.maxKills && (await left()) > 0) {
          // Every 0.8–2 s plus the replacement's start-up: two kills always land within the
          // drain (1,000 tasks of 110 ms on 18 slots take at least 6 s of sleeping alone).
          await sleep(800 + random() * 1_200);
          if ((await left()) === 0) break;
          const victims = alive();
          const victim = victims[Math.floor(random() * victims.length)];
          await victim.stop("SIGKILL");
          kills++;
          await spawnWorker(env);
        }
        const chaosOver = Date.now();
        // Bounded: the last victim's tasks come back after lease + rescue scan, then the drain ends.
        await waitFor(async () => (await left()) === 0, 4_000 + 500 + (SOAK ? 300_000 : 60_000), "every task succeeded");
        const tail = Date.now() - chaosOver;
        const runs = await expectExactlyOnce(ids, ["lost"], true);
        expect(kills, "the controller killed workers while tasks were running").toBeGreaterThanOrEqual(2);
        expect(runs.filter((r) => r.status === "lost").length, "kills interrupted running tasks").toBeGreaterThan(0);
        console.log(`[chaos ${kind}] ${ids.length} tasks, ${kills} kills, runs: ${tally(runs)}; drained ${tail} ms after the last kill`);
        for (const w of workers) expect(w.output()).not.toMatch(LOCK_ERRORS);
      },
      SOAK ? 900_000 : 120_000,
    );

    it(
      "SIGTERM mid-drain: running tasks finish or go back to the queue, none is left running, and nothing is lost",
      async () => {
        const grace = 1_000;
        const env = { QTASK_CONCURRENCY: "10", QTASK_GRACE_MS: String(grace), QTASK_LEASE_MS: "20000", QTASK_HEARTBEAT_MS: "1000" };
        const inputs = Array.from({ length: SIZE.termTasks }, () => ({
          type: "sleep",
          payload: { ms: 100 + Math.floor(random() * 1_900), rows: 1 },
          maxAttempts: 3,
        }));
        const { ids } = await enqueueMany(t.conn, registry, inputs);
        const [first, ...others] = await Promise.all([0, 1, 2].map(() => spawnWorker(env)));
        await waitFor(async () => (await countWhere({ where: { status: "succeeded" } })) >= 20, 60_000, "the drain under way");

        // One worker stops while the others go on: its tasks finish within the grace period or
        // are handed back (and taken by the others).
        const firstId = workerIdOf(first);
        await waitFor(async () => (await countWhere({ where: { status: "running", workerId: firstId } })) > 0, 20_000, "the first worker busy");
        const sent = Date.now();
        expect(await first.stop("SIGTERM")).toBe(0); // 0: drained; 1 would be the last-resort exit
        expect(Date.now() - sent).toBeLessThan(grace + 14_000);
        expect(await t.database.db.run.count({ where: { workerId: firstId, status: "running" } })).toBe(0);
        expect(await countWhere({ where: { workerId: firstId, status: "running" } })).toBe(0);

        // Then every worker at once: the queue is left with no running task.
        await sleep(500);
        expect(await Promise.all(others.map((w) => w.stop("SIGTERM")))).toEqual([0, 0]);
        expect(await countWhere({ where: { status: "running" } })).toBe(0);
        const requeued = await t.database.db.run.findMany({ where: { status: "requeued" }, select: { taskId: true } });
        expect(requeued.length, "some tasks were handed back").toBeGreaterThan(0);
        // A handed-back run did not use up an attempt: max_attempts grew by one for each.
        const extra = new Map<number, number>();
        for (const r of requeued) extra.set(r.taskId, (extra.get(r.taskId) ?? 0) + 1);
        const back = await t.database.db.task.findMany({ where: { id: { in: [...extra.keys()] } }, select: { id: true, maxAttempts: true } });
        expect(back.filter((b) => b.maxAttempts !== 3 + (extra.get(b.id) ?? 0))).toEqual([]);
        expect(await countWhere({ where: { status: { notIn: ["succeeded", "queued"] } } })).toBe(0);

        // A new worker drains the rest: every task succeeded exactly once.
        await spawnWorker({ ...env, QTASK_CONCURRENCY: "30" });
        await waitFor(async () => (await countWhere({ where: { status: "succeeded" } })) === ids.length, 90_000, "the rest drained");
        await expectExactlyOnce(ids, ["requeued"], true);
      },
      SOAK ? 600_000 : 120_000,
    );

    if (kind === "postgres") {
      it(
        "PostgreSQL connection loss mid-drain: the workers' backends are terminated; they reconnect and nothing is lost",
        async () => {
          // A long fallback poll: a worker whose LISTEN connection did not come back would sit
          // out those 20 s at the end instead of taking the new task at once.
          const env = { QTASK_CONCURRENCY: "6", QTASK_LEASE_MS: "8000", QTASK_HEARTBEAT_MS: "1000", QTASK_RESCUE_MS: "500", QTASK_POLL_MS: "20000" };
          const { ids } = await enqueueMany(t.conn, registry, sleepTasks(SIZE.pgTasks, random));
          const killer = new pg.Client({ connectionString: t.url });
          await killer.connect();
          try {
            const pair = await Promise.all([0, 1].map(() => spawnWorker(env)));
            // Every backend of the test database except the killer's own: the workers' pools and
            // LISTEN connections, and this test's idle pool connections too.
            const terminate = async () =>
              (
                await killer.query<{ n: string }>(
                  `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
                )
              ).rows[0].n;
            const left = async () =>
              Number((await killer.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE status <> 'succeeded'`)).rows[0].n);
            let drops = 0;
            for (let i = 0; i < SIZE.pgDrops && (await left()) > 0; i++) {
              await sleep(800 + random() * 1_200);
              const n = Number(await terminate());
              if (n > 0) drops++;
            }
            expect(drops).toBeGreaterThanOrEqual(Math.min(2, SIZE.pgDrops));
            await waitFor(async () => (await left()) === 0, SOAK ? 300_000 : 60_000, "every task succeeded");
            // This process's own pool lost its idle connections too; its first query may meet one.
            await waitFor(() => t.database.db.task.count().catch(() => 0), 10_000, "the test's own connection back");
            // No attempt failed because of the connection (the run's writes are retried on a new
            // one); `lost` is allowed: a claim whose commit went through unseen is rescued later.
            const runs = await expectExactlyOnce(ids, ["lost"], true);
            // Nor was a log line dropped: each succeeded run stored lines 2…n without a gap (line 1,
            // "started", and the closing "succeeded" are rendered from the run row: src/queue/runLog.ts).
            const logs = await t.database.db.runLog.groupBy({ by: ["runId"], _count: true, _min: { seq: true }, _max: { seq: true } });
            const gaps = logs.filter((l) => l._min.seq !== 2 || l._count !== (l._max.seq as number) - 1);
            expect(gaps).toEqual([]);
            const logged = new Map(logs.map((l) => [l.runId, l._count]));
            expect(runs.filter((r) => r.status === "succeeded" && (logged.get(r.id) ?? 0) < 2).map((r) => r.id)).toEqual([]);
            const complaints = pair.flatMap((w) => w.output().split("\n")).filter((l) => /failed|lost|error/i.test(l));
            console.log(
              `[chaos ${kind}] ${drops} connection losses; runs: ${tally(runs)}; worker complaints:\n  ${[...new Set(complaints)].slice(0, 40).join("\n  ")}`,
            );
            for (const w of pair) {
              expect(w.proc.exitCode, w.output()).toBeNull();
              expect(w.output()).toMatch(/wake-up connection lost/);
            }
            // LISTEN is back: a new task starts at once, not at the next (20 s) poll.
            const { id } = await enqueue(t.conn, registry, { type: "noop" });
            await waitFor(async () => (await countWhere({ where: { id, status: "succeeded" } })) === 1, 8_000, "woken by NOTIFY");
          } finally {
            await killer.end().catch(() => undefined);
          }
        },
        SOAK ? 600_000 : 120_000,
      );
    }

    if (kind === "sqlite") {
      it(
        "SQLite: web-side writers and three workers write at once; no 'database is locked' reaches a caller or fails a task",
        async () => {
          const env = { QTASK_CONCURRENCY: "10", QTASK_LEASE_MS: "10000", QTASK_HEARTBEAT_MS: "500", QTASK_POLL_MS: "200" };
          await Promise.all([0, 1, 2].map(() => spawnWorker(env)));
          const created: number[] = [];
          const cancelled = new Set<number>();
          const errors: string[] = [];
          // Eight concurrent "requests" at a time, as a busy web server would issue them.
          const client = async () => {
            for (let i = 0; i < SIZE.webOps / 8; i++) {
              const r = random();
              try {
                if (r < 0.45) {
                  created.push((await enqueue(t.conn, registry, { type: "sleep", payload: { ms: Math.floor(random() * 100), rows: 3 } })).id);
                } else if (r < 0.7) {
                  const batch = Array.from({ length: 10 }, (_, j) => (j % 2 ? { type: "noop" } : { type: "sleep", payload: { ms: 10, rows: 2 } }));
                  created.push(...(await enqueueMany(t.conn, registry, batch)).ids);
                } else if (r < 0.9 && created.length > 0) {
                  const id = created[Math.floor(random() * created.length)];
                  if ((await cancelTask(t.conn, id)) === "cancelled") cancelled.add(id);
                } else if (cancelled.size > 0) {
                  const id = [...cancelled][Math.floor(random() * cancelled.size)];
                  await retryTask(t.conn, id);
                  cancelled.delete(id);
                }
              } catch (err) {
                // A 409 (cancelling a finished task) is an answer, not a failure.
                if (!(err instanceof IllegalTransitionError)) errors.push(String((err as Error).stack ?? err));
              }
              await sleep(random() * 30);
            }
          };
          await Promise.all(Array.from({ length: 8 }, client));
          expect(errors).toEqual([]);
          await waitFor(async () => (await countWhere({ where: { status: { in: ["queued", "running"] } } })) === 0, 90_000, "every task finished");
          expect(await countWhere({ where: { status: "failed" } })).toBe(0);
          expect(await t.database.db.run.count({ where: { OR: [{ error: { contains: "locked" } }, { error: { contains: "BUSY" } }] } })).toBe(0);
          for (const w of workers) expect(w.output()).not.toMatch(LOCK_ERRORS);
          // Finished once: at most one succeeded run per task, and succeeded tasks have theirs.
          const succeededRuns = await t.database.db.run.groupBy({ by: ["taskId"], where: { status: "succeeded" }, _count: true });
          expect(succeededRuns.filter((g) => g._count > 1)).toEqual([]);
          expect(succeededRuns.length).toBe(await countWhere({ where: { status: "succeeded" } }));
          expect(created.length).toBeGreaterThan(SIZE.webOps);
        },
        SOAK ? 600_000 : 120_000,
      );
    }

    it(
      `a handler writing ${SIZE.floodLines.toLocaleString("en")} log lines: the log is capped with a visible marker, worker memory stays bounded, the log pages stay quick`,
      async () => {
        const cap = SIZE.logCap;
        const w = await spawnWorker({ QTASK_LOG_MAX_LINES: String(cap), QTASK_LEASE_MS: "10000", QTASK_HEARTBEAT_MS: "1000" });
        const pid = w.proc.pid as number;
        await sleep(500);
        const baseline = rssMiB(pid);
        const { id } = await enqueue(t.conn, registry, { type: "log_flood", payload: { lines: SIZE.floodLines } });
        let peak = baseline;
        const sampler = setInterval(() => {
          try {
            peak = Math.max(peak, rssMiB(pid));
          } catch {
            // the process is gone; the assertions below say why
          }
        }, 50);
        try {
          await waitFor(
            async () => (await countWhere({ where: { id, status: { in: ["succeeded", "failed"] } } })) === 1,
            SOAK ? 300_000 : 60_000,
            "flood done",
          );
        } finally {
          clearInterval(sampler);
        }
        const task = await t.database.db.task.findUniqueOrThrow({ where: { id } });
        expect(task.status, task.error ?? "").toBe("succeeded");
        const runs = await t.database.db.run.findMany({ where: { taskId: id } });
        expect(runs.map((r) => r.status)).toEqual(["succeeded"]);
        const runId = runs[0].id;
        // Capped: the first `cap` lines (the first, "started", rendered from the run row), then one
        // visible marker, then nothing.
        expect(await t.database.db.runLog.count({ where: { runId } })).toBe(cap);
        const marker = await t.database.db.runLog.findFirstOrThrow({ where: { runId }, orderBy: { seq: "desc" } });
        expect(marker).toMatchObject({ seq: cap + 1, level: "warn" });
        expect(marker.message).toMatch(/truncated/);
        // Bounded memory: what a run holds is bounded by the cap, not by what the handler writes.
        // Measured on the 2-core CI machine: 1,000,000 lines under a 20,000 cap add ~40 MiB;
        // without a cap ~190 MiB (5,000,000 lines: ~1 GiB), so the bound tells the two apart.
        console.log(`[chaos ${kind}] log flood: worker RSS ${baseline.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB at most`);
        expect(peak - baseline).toBeLessThan(SOAK ? 250 : 120);
        // The run's log pages (what GET /api/tasks/runs/{id}/logs serves) are still quick.
        const timed = async (q: Parameters<typeof logPage>[2]) => {
          const started = performance.now();
          const page = await logPage(t.database, runId, q);
          return { page: page!, ms: performance.now() - started };
        };
        const firstPage = await timed({ after_seq: 0, limit: 200 });
        expect(firstPage.page.items).toHaveLength(200);
        const lastPage = await timed({ after_seq: cap - 99, limit: 1000 });
        // The marker, then the closing line, which is rendered from the run row and so survives the cap.
        expect(lastPage.page.items.slice(-2).map((l) => l.message)).toEqual([expect.stringMatching(/truncated/), "succeeded"]);
        const warnings = await timed({ after_seq: 0, limit: 200, level: "warn" });
        expect(warnings.page.items.map((l) => l.seq)).toEqual([cap + 1]);
        const search = await timed({ after_seq: 0, limit: 200, q: "truncated" });
        expect(search.page.items).toHaveLength(1);
        for (const r of [firstPage, lastPage, warnings, search]) expect(r.ms).toBeLessThan(3_000);
      },
      SOAK ? 600_000 : 90_000,
    );

    it(
      "a compute task in an endless loop is stopped by its timeout (thread terminated), retried, failed, while the worker keeps serving others",
      async () => {
        await spawnWorker({
          JOB_NUM: "1",
          QTASK_BACKOFF_BASE_MS: "50",
          QTASK_BACKOFF_MAX_MS: "100",
          QTASK_LEASE_MS: "3000",
          QTASK_HEARTBEAT_MS: "500",
        });
        const stuck = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 0, forever: true }, timeoutMs: 3_000, maxAttempts: 2 });
        await waitFor(async () => (await countWhere({ where: { id: stuck.id, status: "running" } })) === 1, 15_000, "busy running");
        // While the one compute thread spins, the event loop serves fast tasks.
        const { ids } = await enqueueMany(
          t.conn,
          registry,
          Array.from({ length: 20 }, (_, i) => (i % 2 ? { type: "noop" } : { type: "sleep", payload: { ms: 20 } })),
        );
        await waitFor(async () => (await countWhere({ where: { id: { in: ids }, status: "succeeded" } })) === ids.length, 30_000, "fast tasks done");
        await waitFor(async () => (await countWhere({ where: { id: stuck.id, status: "failed" } })) === 1, 30_000, "busy failed");
        const task = await t.database.db.task.findUniqueOrThrow({ where: { id: stuck.id } });
        expect(task.error).toMatch(/timed out after 3000 ms/);
        // Timed out twice (heartbeats went on: never `lost`).
        const runs = await t.database.db.run.findMany({ where: { taskId: stuck.id }, orderBy: { id: "asc" } });
        expect(runs.map((r) => r.status)).toEqual(["timed_out", "timed_out"]);
        // The fast tasks did not wait for the loop to end.
        const fast = await t.database.db.task.findMany({ where: { id: { in: ids } }, select: { finishedAt: true } });
        expect(Math.max(...fast.map((f) => f.finishedAt!.getTime()))).toBeLessThan(task.finishedAt!.getTime());
        // The thread was terminated: the pool's only thread runs the next compute task.
        const next = await enqueue(t.conn, registry, { type: "busy", payload: { ms: 50 } });
        await waitFor(async () => (await countWhere({ where: { id: next.id, status: "succeeded" } })) === 1, 20_000, "next compute task done");
      },
      SOAK ? 300_000 : 90_000,
    );

    it(
      "clocks that disagree by seconds: with the leader swapped while it runs, no schedule slot fires twice or early",
      async () => {
        const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2_000);
        const s = await t.database.db.schedule.create({
          data: { name: "skewed", taskType: "noop", kind: "interval", intervalSeconds: 1, runAt: start, nextRunAt: start, timezone: "UTC" },
        });
        // One worker's clock is 4 s ahead, the other's 3 s behind (test-only preload, see skewed-clock.mjs).
        const skewed = (ms: number) => ({
          QTASK_SCHEDULER_MS: "200",
          QTASK_TEST_CLOCK_SKEW_MS: String(ms),
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${SKEWED_CLOCK}`.trim(),
        });
        const [ahead, behind] = [await spawnWorker(skewed(4_000)), await spawnWorker(skewed(-3_000))];
        expect(ahead.output()).toMatch(/wall clock is off by \+4000 ms/);
        expect(behind.output()).toMatch(/wall clock is off by -3000 ms/);
        // Swap the leader a few times: SIGTERM releases the scheduler lease, the other takes
        // over at once, and the stopped one comes back with the same skew.
        const deadline = Date.now() + (SOAK ? 600_000 : 60_000);
        let swaps = 0;
        while (swaps < SIZE.swaps && Date.now() < deadline) {
          await sleep(1_500 + random() * 1_000);
          // The leader is whoever holds the scheduler lease in the database.
          const lease = await t.database.db.lease.findUnique({ where: { name: "scheduler" } });
          const leader = alive().find((w) => workerIdOf(w) === lease?.holder);
          if (!leader) continue;
          const skew = /off by \+4000/.test(leader.output()) ? 4_000 : -3_000;
          expect(await leader.stop("SIGTERM")).toBe(0);
          swaps++;
          await spawnWorker(skewed(skew));
        }
        await sleep(1_500);
        const stoppedAt = Date.now();
        await Promise.all(alive().map((w) => w.stop("SIGTERM")));
        expect(swaps).toBe(SIZE.swaps);

        const fires = await t.database.db.scheduleFire.findMany({ where: { scheduleId: s.id }, orderBy: { slot: "asc" } });
        const tasks = await t.database.db.task.findMany({ where: { scheduleId: String(s.id) }, orderBy: { id: "asc" } });
        expect(fires.length).toBeGreaterThanOrEqual(3);
        // Exactly one task per fired slot, and never a slot twice.
        expect(tasks).toHaveLength(fires.length);
        expect(new Set(fires.map((f) => f.slot.getTime())).size).toBe(fires.length);
        expect(new Set(fires.map((f) => f.taskId))).toEqual(new Set(tasks.map((x) => x.id)));
        // Slots are whole seconds from the anchor, and none fired before it was due by the
        // database's clock (a worker trusting its clock 4 s ahead would have fired early).
        for (const f of fires) {
          expect((f.slot.getTime() - start.getTime()) % 1000).toBe(0);
          expect(f.firedAt.getTime()).toBeGreaterThanOrEqual(f.slot.getTime());
        }
        // Firing went on through the swaps, up to the end.
        expect(fires.at(-1)!.slot.getTime()).toBeGreaterThanOrEqual(stoppedAt - 3_000);
      },
      SOAK ? 300_000 : 90_000,
    );
  });
}
