/** What every phase gets: the database provider, fresh databases, the report and the volumes. */
import { connOf, enqueueMany, openDatabase, registry, type Conn, type Database } from "../../src/qtask";
import type { DbFactory, Provider } from "./db";
import type { Report } from "./report";
import type { VolumeSpec } from "./volume";

export interface Volumes {
  enqueueSingle: number;
  enqueueBulk: number;
  /** Tasks per enqueueMany / POST /api/tasks/batch call. */
  bulkBatch: number;
  httpSingle: number;
  httpBulk: number;
  drain: number;
  latencySamples: number;
  /** Requests per endpoint and repetition. */
  apiSamples: number;
  volume: VolumeSpec;
  signalsFunds: number;
  memoryTasks: number;
  memoryConcurrency: number;
}

export function volumes(quick: boolean): Volumes {
  return quick
    ? {
        enqueueSingle: 500,
        enqueueBulk: 5_000,
        bulkBatch: 1_000,
        httpSingle: 300,
        httpBulk: 5_000,
        drain: 5_000,
        latencySamples: 50,
        apiSamples: 20,
        volume: { scale: "quick", tasks: 100_000, logLines: 1_000_000, resultRows: 100_000 },
        signalsFunds: 2_000,
        memoryTasks: 20_000,
        memoryConcurrency: 50,
      }
    : {
        enqueueSingle: 2_000,
        enqueueBulk: 20_000,
        bulkBatch: 1_000,
        httpSingle: 2_000,
        httpBulk: 20_000,
        drain: 20_000,
        latencySamples: 200,
        apiSamples: 50,
        volume: { scale: "full", tasks: 1_000_000, logLines: 10_000_000, resultRows: 1_000_000 },
        signalsFunds: 2_000,
        memoryTasks: 100_000,
        memoryConcurrency: 50,
      };
}

export interface Ctx {
  provider: Provider;
  factory: DbFactory;
  report: Report;
  reps: number;
  quick: boolean;
  v: Volumes;
}

/** Opens the engine on `url` for the duration of fn. */
export async function withEngine<T>(url: string, fn: (conn: Conn, database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(url);
  try {
    return await fn(connOf(database.db, database.provider), database);
  } finally {
    await database.close();
  }
}

/** Set-up (not measured): `n` waiting noop tasks, enqueued through the engine in batches of 5,000. */
export async function enqueueNoops(url: string, n: number): Promise<void> {
  await withEngine(url, async (conn) => {
    for (let i = 0; i < n; i += 5_000) {
      await enqueueMany(
        conn,
        registry,
        Array.from({ length: Math.min(5_000, n - i) }, () => ({ type: "noop" })),
      );
    }
  });
}
