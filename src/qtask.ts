/**
 * The engine's entry for plain Node scripts (the worker script, tests, benchmarks): open a
 * database, enqueue one or many tasks, and run a worker in-process. No Next.js needed.
 *
 *   const database = await openDatabase();               // DATABASE_URL or .data/qtask.db
 *   const conn = connOf(database.db, database.provider);
 *   await enqueue(conn, registry, { type: "sleep", payload: { ms: 500 } });
 *   const worker = createWorker({ database, registry, config: loadConfig() });
 *   await worker.start();
 */
export { openDatabase, type Database, type Db, type Tx } from "./db/client";
export { databaseUrl, providerOf } from "./db/url";
export { migrate } from "./db/migrate";
export { loadConfig, type QueueConfig } from "./queue/config";
export { enqueue, enqueueMany, InvalidTaskError, type EnqueueInput } from "./queue/enqueue";
export { cancelTask, retryTask, deleteTask, TaskNotFoundError } from "./queue/sql/control";
export { connOf, type Conn } from "./queue/sql/executor";
export { Registry, defineTask, TaskCancel, TaskSnooze, TaskFailPermanently, type TaskContext } from "./queue/registry";
export { TaskStatus, RunStatus, IllegalTransitionError } from "./queue/states";
export { createWorker, QueueWorker } from "./worker/worker";
export { registry } from "./tasks";
