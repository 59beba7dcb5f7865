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
await enqueueNoops(db.url, n);
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
const m0 = machine();
const pg0 = pgCpu();
const cpu0 = process.cpuUsage();
const before = statementCounter.count;
const t0 = performance.now();
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
if (process.env.KEEP) console.log(`kept ${db.url}`);
else {
  await db.drop();
  await cleanupAll();
}
process.exit(0);
