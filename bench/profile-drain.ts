/**
 * Where a drain's time goes: N noop tasks drained by a worker in this process, with the
 * statement count and wall time printed. Run under `node --cpu-prof --import tsx` to profile.
 *   node --import tsx bench/profile-drain.ts sqlite|postgres [tasks] [concurrency]
 */
import { DbFactory, num, openRaw } from "./lib/db";
import { enqueueNoops } from "./lib/context";
import { createWorker, loadConfig, openDatabase, registry } from "../src/qtask";
import { statementCounter } from "../src/queue/sql/native";
import { cleanupAll } from "./lib/procs";

const provider = (process.argv[2] ?? "sqlite") as "sqlite" | "postgres";
const n = Number(process.argv[3] ?? 20_000);
const concurrency = Number(process.argv[4] ?? 10);
const factory = new DbFactory(provider, provider === "postgres" ? "postgresql://postgres@127.0.0.1:5432/test" : null);
const db = await factory.fresh("profile");
await enqueueNoops(db.url, n);
const database = await openDatabase(db.url);
const config = loadConfig({ ...process.env, QTASK_CONCURRENCY: String(concurrency), QTASK_SCHEDULER_MS: "0" });
const worker = createWorker({ database, registry, config, log: () => undefined });
const before = statementCounter.count;
const t0 = performance.now();
await worker.start();
// A connection of its own, as the bench watches: the worker's connection stays the worker's.
const raw = await openRaw(db.url);
const countTasks = async () => num((await raw.one<{ n: unknown }>(`SELECT COUNT(*) AS n FROM tasks WHERE status IN ('queued', 'running')`)).n);
for (;;) {
  await new Promise((r) => setTimeout(r, 50));
  const left = await countTasks();
  if (left === 0 || (process.env.STOP_AT && left <= Number(process.env.STOP_AT))) break;
}
const ms = performance.now() - t0;
if (process.env.WALSIZE && provider === "sqlite") console.log("wal bytes", (await import("node:fs")).statSync(db.url.slice(5) + "-wal").size);
const statements = statementCounter.count - before;
await raw.close();
await worker.stop();
await database.close();
console.log(`${provider} c=${concurrency}: ${n} tasks in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)} tasks/s; ${(statements / n).toFixed(2)} statements/task`);
if (process.env.KEEP) console.log(`kept ${db.url}`);
else await db.drop();
if (!process.env.KEEP) await cleanupAll();
process.exit(0);
