/**
 * The worker process: `npm run worker` (the launcher starts it beside `next start`).
 * Serves the queues of QTASK_QUEUES (see src/queue/config.ts) until SIGTERM/SIGINT, then
 * drains gracefully: stop claiming, hand back tasks claimed ahead that have not started, let
 * running tasks finish within QTASK_GRACE_MS, hand the rest back to the queue.
 */
import type * as Qtask from "../src/qtask";

// Loaded by hand so that an invalid `scripts:` section of the catalogue file (which the
// registry reads as it loads) refuses the start with its line and reason, not a stack trace.
const { createWorker, loadConfig, openDatabase, registry }: typeof Qtask = await import("../src/qtask").catch((err: Error) => {
  console.error(`[worker] refusing to start: ${err.name === "ScriptCatalogueError" ? err.message : (err.stack ?? err.message)}`);
  process.exit(1);
});

const config = loadConfig();
const database = await openDatabase();
const worker = createWorker({ database, registry, config });
await worker.start();
console.log(
  `[worker ${worker.id}] started: ${database.provider}, queues ${config.queues.map((q) => q.name + (q.limit ? `:${q.limit}` : "")).join(",")}, concurrency ${config.concurrency}, compute threads ${config.jobNum}`,
);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[worker ${worker.id}] ${signal}: draining`);
    // Last resort against a hung shutdown: leases of anything still running expire and get rescued.
    setTimeout(() => {
      console.error(`[worker ${worker.id}] shutdown did not finish within the grace period + 15 s; exiting`);
      process.exit(1);
    }, config.graceMs + 15_000).unref();
    void worker
      .stop()
      .then(() => database.close())
      .then(() => {
        console.log(`[worker ${worker.id}] stopped`);
        process.exit(0);
      })
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  });
}
