/**
 * Where a drain's time goes, for profiling rather than for the figures (`npm run bench` gives
 * those): N waiting noop tasks drained by a worker in this process, printing wall time and SQL
 * statements per task, and the CPU time per task of this process and of the PostgreSQL server.
 * PROFILE=file.cpuprofile writes a CPU profile of the drain alone (not of the set-up), for
 * Chrome's DevTools or any .cpuprofile viewer; ALLOC=file.heapprofile a sampling profile of
 * what the drain allocates (garbage collection is a tenth of a busy worker's time).
 *
 *   node --import tsx bench/profile-drain.ts sqlite|postgres [tasks=20000] [concurrency=10]
 *
 * PostgreSQL with pg_stat_statements loaded (shared_preload_libraries; it needs a restart of
 * the server, so never while CI runs): SQL=1 also prints what the server did per task during
 * the drain — statements, rows, WAL records and bytes, write transactions a second — and the
 * statements that took its time.
 *
 * WAL=1 (PostgreSQL, pg_walinspect) prints the WAL records the drain wrote by table, index and
 * record type. PREP_SQL="…" runs statements on the fresh database before the enqueue,
 * AFTER_SQL="…" after it, before the drain.
 *
 * STOP_AT=n stops once n tasks are left and KEEP=1 keeps the database (its URL is printed),
 * to look at a half-drained queue with EXPLAIN. PostgreSQL: BENCH_POSTGRES_URL, else
 * TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/test.
 */
import fs from "node:fs";
import inspector from "node:inspector";
import { DbFactory, drainWatch, num, openRaw } from "./lib/db";
import { enqueueNoops } from "./lib/context";
import { cleanupAll } from "./lib/procs";
import { createWorker, loadConfig, openDatabase, registry } from "../src/qtask";
import { statementCounter } from "../src/db/native";

const provider = process.argv[2] === "postgres" ? "postgres" : "sqlite";
const n = Number(process.argv[3] ?? 20_000);
const concurrency = Number(process.argv[4] ?? 10);
const pgUrl = process.env.BENCH_POSTGRES_URL || process.env.TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/test";
const factory = new DbFactory(provider, provider === "postgres" ? pgUrl : null);
const db = await factory.fresh("profile");
/** Runs the statements in environment variable `name` on the drained database, if it is set. */
async function runSqlFrom(name: "PREP_SQL" | "AFTER_SQL"): Promise<void> {
  const text = process.env[name];
  if (!text) return;
  const conn = await openRaw(db.url);
  await conn.exec(text);
  await conn.close();
}
// PREP_SQL before the enqueue (a schema change to try, an index or a fill factor, without a
// migration: run it and a plain run in turn); AFTER_SQL after it, before the drain (an ANALYZE).
await runSqlFrom("PREP_SQL");
await enqueueNoops(db.url, n);
await runSqlFrom("AFTER_SQL");
const database = await openDatabase(db.url);
const config = loadConfig({ ...process.env, QTASK_CONCURRENCY: String(concurrency), QTASK_SCHEDULER_MS: "0" });
const worker = createWorker({ database, registry, config, log: () => undefined });
// Watched from a connection of its own, as the bench does (drainWatch): the worker's stays the worker's.
const raw = await openRaw(db.url);
const watch = drainWatch(raw);
const stopAt = Number(process.env.STOP_AT ?? 0);
/** CPU milliseconds used so far by every PostgreSQL server process of this machine (from /proc). */
const pgCpu = (): number => {
  let t = 0;
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      t += Number(f[11]) + Number(f[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return t * 10;
};
// The inspector's profiler, started and stopped around the drain only (--cpu-prof would also
// record the migration and the enqueue of the tasks).
const profiler = process.env.PROFILE || process.env.ALLOC ? new inspector.Session() : null;
const post = (method: string, params?: object) =>
  new Promise<unknown>((resolve, reject) => profiler?.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
if (profiler) {
  profiler.connect();
  if (process.env.PROFILE) {
    await post("Profiler.enable");
    await post("Profiler.start");
  }
  // Every 4 KiB allocated on average, rather than the default 32 KiB: a drain is short.
  if (process.env.ALLOC)
    await post("HeapProfiler.startSampling", {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
}
/** Idle and total jiffies of the whole machine so far (/proc/stat). */
const machine = (): [number, number] => {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return [f[3] + f[4], f.reduce((a, b) => a + b, 0)];
};
const sqlStats = provider === "postgres" && process.env.SQL ? await serverStats(db.url) : null;
await sqlStats?.reset();
const walStats = provider === "postgres" && process.env.WAL ? await walByRelation(db.url) : null;
await walStats?.start();
const m0 = machine();
const pg0 = pgCpu();
const cpu0 = process.cpuUsage();
const before = statementCounter.count;
const t0 = performance.now();
// On stderr, for an outside profiler (perf record -a) to start at the drain rather than at the enqueue.
console.error(`draining ${n} tasks`);
await worker.start();
for (;;) {
  await new Promise((r) => setTimeout(r, 50));
  if (stopAt > 0 ? (await watch.left()) <= stopAt : !(await watch.busy())) break;
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const pgMs = pgCpu() - pg0;
const m1 = machine();
const busy = 1 - (m1[0] - m0[0]) / (m1[1] - m0[1]);
const statements = statementCounter.count - before;
const serverReport = sqlStats ? await sqlStats.report(n - stopAt, ms) : null;
const walReport = walStats ? await walStats.report(n - stopAt) : null;
if (profiler) {
  if (process.env.PROFILE) {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    fs.writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  }
  if (process.env.ALLOC) {
    const { profile } = (await post("HeapProfiler.stopSampling")) as { profile: unknown };
    fs.writeFileSync(process.env.ALLOC, JSON.stringify(profile));
  }
  profiler.disconnect();
}
await raw.close();
await worker.stop();
await database.close();
const done = n - stopAt;
console.log(
  `${provider} c=${concurrency}: ${done} tasks in ${ms.toFixed(0)} ms = ${Math.round((done / ms) * 1000)} tasks/s; ${(statements / done).toFixed(2)} statements/task; node ${(((cpu.user + cpu.system) / 1000 / done) * 1000).toFixed(1)} µs/task${provider === "postgres" ? `, postgres ${((pgMs / done) * 1000).toFixed(1)} µs/task` : ""}; machine ${Math.round(busy * 100)}% busy`,
);
if (serverReport) console.log(serverReport);
if (walReport) console.log(walReport);
if (process.env.KEEP) console.log(`kept ${db.url}`);
else {
  await db.drop();
  await cleanupAll();
}
process.exit(0);

/**
 * What the PostgreSQL server did during the drain: pg_stat_statements (statements, rows, WAL
 * per statement), the WAL position (all WAL, including what no statement is charged with) and
 * the transaction counter (write transactions), read from a connection to the `postgres`
 * database so that the reads are not counted in the drained one.
 */
async function serverStats(url: string) {
  const admin = await openRaw(url.replace(/\/[^/?]*(\?.*)?$/, "/postgres$1"));
  await admin.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const dbName = decodeURIComponent(new URL(url).pathname.slice(1));
  // The WAL position and the next transaction id, read now: pg_stat_wal and pg_stat_database's
  // counters reach the view only when each backend flushes them, up to seconds later. Every
  // write transaction takes one id (this read takes one too, subtracted below).
  const wal = async () => num((await admin.one<{ b: unknown }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS b")).b);
  const commits = async () => num((await admin.one<{ c: unknown }>("SELECT pg_current_xact_id()::text::bigint AS c")).c);
  let wal0 = 0;
  let commits0 = 0;
  return {
    async reset() {
      await admin.exec("SELECT pg_stat_statements_reset()");
      wal0 = await wal();
      commits0 = await commits();
    },
    async report(tasks: number, ms: number): Promise<string> {
      const walBytes = (await wal()) - wal0;
      const xacts = (await commits()) - commits0 - 1;
      const rows = await admin.all<{ query: string; calls: unknown; rows: unknown; ms: unknown; wal_records: unknown; wal_bytes: unknown }>(
        `SELECT s.query, s.calls, s.rows, s.total_exec_time AS ms, s.wal_records, s.wal_bytes
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = $1 ORDER BY s.total_exec_time DESC`,
        [dbName],
      );
      const sum = (f: (r: (typeof rows)[number]) => unknown) => rows.reduce((a, r) => a + num(f(r)), 0);
      const per = (v: number, digits = 2) => (v / tasks).toFixed(digits);
      const lines = [
        `server per task: ${per(
          sum((r) => r.calls),
          3,
        )} statements, ${per(sum((r) => r.rows))} rows returned or written, ` +
          `${per(sum((r) => r.wal_records))} WAL records, ${per(walBytes, 0)} WAL bytes (${per(
            sum((r) => r.wal_bytes),
            0,
          )} charged to statements), ` +
          `${per(sum((r) => r.ms) * 1000, 1)} µs executing; ${Math.round((xacts / ms) * 1000)} write transactions/s (${per(xacts, 3)} per task)`,
        "top statements: calls, rows/call, ms in all, µs per task, WAL records per task",
        ...rows
          .slice(0, 8)
          .map(
            (r) =>
              `  ${num(r.calls)}\t${(num(r.rows) / Math.max(1, num(r.calls))).toFixed(0)}\t${num(r.ms).toFixed(0)}\t${per(num(r.ms) * 1000, 1)}\t${per(num(r.wal_records))}\t${r.query.replace(/\s+/g, " ").slice(0, 110)}`,
          ),
      ];
      await admin.close();
      return lines.join("\n");
    },
  };
}

/**
 * WAL=1 (PostgreSQL): every WAL record the drain wrote, by relation (table or index) and record
 * type, per task, read back with pg_walinspect (a contrib extension that needs no restart). It
 * shows which index entries a claim and a close write, the figure "fewer index entries per
 * task" is judged by. Counts the whole server's WAL between the two positions, so nothing
 * else should be writing.
 */
async function walByRelation(url: string) {
  const conn = await openRaw(url);
  await conn.exec("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
  let lsn0 = "";
  return {
    async start() {
      lsn0 = String((await conn.one<{ l: unknown }>("SELECT pg_current_wal_lsn()::text AS l")).l);
    },
    async report(tasks: number): Promise<string> {
      const lsn1 = String((await conn.one<{ l: unknown }>("SELECT pg_current_wal_lsn()::text AS l")).l);
      // pg_walinspect reads only flushed WAL: switching to a new segment flushes everything up to lsn1.
      await conn.exec("SELECT pg_switch_wal()");
      const rows = await conn.all<{ rel: string | null; rmgr: string; kind: string; n: unknown; bytes: unknown }>(
        `WITH w AS (
           SELECT resource_manager AS rmgr, record_type AS kind, record_length + fpi_length AS len,
                  substring(block_ref from 'rel \\d+/\\d+/(\\d+)')::oid AS node
           FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn))
         SELECT COALESCE(c.relname, w.node::text) AS rel, rmgr, kind, count(*) AS n, sum(len) AS bytes
         FROM w LEFT JOIN pg_class c ON c.relfilenode = w.node
         GROUP BY 1, 2, 3 ORDER BY count(*) DESC`,
        [lsn0, lsn1],
      );
      await conn.close();
      const total = rows.reduce((a, r) => a + num(r.n), 0);
      return [
        `WAL per task: ${(total / tasks).toFixed(2)} records; by relation and record type (records per task, bytes per task):`,
        ...rows
          .filter((r) => num(r.n) / tasks >= 0.01)
          .map((r) => `  ${(num(r.n) / tasks).toFixed(2)}\t${(num(r.bytes) / tasks).toFixed(0)}\t${r.rel ?? "-"}\t${r.rmgr}/${r.kind}`),
      ].join("\n");
    },
  };
}
