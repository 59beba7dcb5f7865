/**
 * The engine's hot path talks to the database drivers directly instead of through Prisma's
 * raw queries, which cost 130–300 µs of overhead per statement (≈11 µs natively on SQLite):
 * at thousands of tasks per second that overhead was the queue.
 *
 * SQLite: the engine uses the very better-sqlite3 connection Prisma's adapter opened, and one
 * lock serialises everything on it — engine statements and transactions, and Prisma's own
 * statements and transactions (the adapter is wrapped). A second connection in the same
 * process would be worse: better-sqlite3 waits for a busy lock synchronously, so a Prisma
 * write blocking the event loop while an engine transaction waits on a microtask would stall
 * both until the busy timeout. One connection, one lock, no such deadlock.
 *
 * PostgreSQL: a pg pool of the engine's own (Prisma keeps its pool for app queries).
 */
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { Provider } from "@/db/url";
import { isPrepared, type Sql } from "./dialect";

/** What the engine needs from a driver. */
export interface NativeDriver {
  readonly provider: Provider;
  /** Rows of a statement (a write without RETURNING gives none). */
  query(s: Sql): Promise<Record<string, unknown>[]>;
  /** Rows changed by a statement. */
  execute(s: Sql): Promise<number>;
  /**
   * Runs fn in a transaction on one connection; fn's driver is that connection. `urgent`
   * transactions (heartbeats) do not queue behind the others for a connection.
   */
  transaction<T>(fn: (tx: NativeDriver) => Promise<T>, urgent?: boolean): Promise<T>;
  close(): Promise<void>;
}

/** The mutual exclusion the SQLite connection is shared under (lock.ts's Lock). */
export interface Serialiser {
  run<T>(fn: () => Promise<T>, urgent?: boolean): Promise<T>;
}

/**
 * Statements sent to the database by native drivers in this process (transaction control
 * included): the test suite's guard against per-task statement creep reads it.
 */
export const statementCounter = { count: 0 };

const attached = new WeakMap<object, { driver: NativeDriver; lock?: Serialiser }>();

/** Registers the native driver (and, on SQLite, the connection's lock) of a Prisma client. */
export function attachDriver(client: object, driver: NativeDriver, lock?: Serialiser): void {
  attached.set(client, { driver, lock });
}

/** The native driver and lock registered for a Prisma client, if any. */
export function driverOf(client: object): { driver: NativeDriver; lock?: Serialiser } | undefined {
  return attached.get(client);
}

// ---------------------------------------------------------------- SQLite

/** Prisma.sql values as better-sqlite3 binds them: times as epoch ms (the schema's format), booleans as 0/1. */
function sqliteValue(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) return null;
  return v;
}

/** A driver on a better-sqlite3 connection. Statements are prepared once and cached. */
export function sqliteDriver(client: BetterSqlite3.Database, inTransaction = false): NativeDriver {
  const cache = (client as unknown as { __qtaskStatements?: Map<string, BetterSqlite3.Statement> }).__qtaskStatements ?? new Map();
  (client as unknown as { __qtaskStatements?: Map<string, BetterSqlite3.Statement> }).__qtaskStatements = cache;
  const prepare = (text: string) => {
    statementCounter.count++;
    let st = cache.get(text);
    if (!st) {
      if (cache.size > 500) cache.clear();
      // Prisma's adapter turns safe integers on for the connection; the engine reads plain numbers.
      st = client.prepare(text).safeIntegers(false);
      cache.set(text, st);
    }
    return st;
  };
  const driver: NativeDriver = {
    provider: "sqlite",
    query: (s) => {
      try {
        const st = prepare(s.sql);
        const values = s.values.map(sqliteValue);
        if (st.reader) return Promise.resolve(st.all(...values) as Record<string, unknown>[]);
        st.run(...values);
        return Promise.resolve([]);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    execute: (s) => {
      try {
        const st = prepare(s.sql);
        const values = s.values.map(sqliteValue);
        return Promise.resolve(st.reader ? st.all(...values).length : st.run(...values).changes);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async transaction(fn) {
      if (inTransaction) return fn(driver);
      // IMMEDIATE takes the write lock up front: a deferred transaction that reads first
      // cannot upgrade to a writer under contention.
      prepare("BEGIN IMMEDIATE").run();
      try {
        const out = await fn(sqliteDriver(client, true));
        prepare("COMMIT").run();
        return out;
      } catch (err) {
        if (client.inTransaction) prepare("ROLLBACK").run();
        throw err;
      }
    },
    close: () => Promise.resolve(),
  };
  return driver;
}

/** Acquires a Serialiser until the returned function is called. */
function hold(lock: Serialiser): Promise<() => void> {
  return new Promise((acquired) => {
    void lock.run(() => new Promise<void>((release) => acquired(release)));
  });
}

// Structural copies of Prisma's driver-adapter interfaces (only what is wrapped).
interface Queryable {
  readonly provider: "sqlite" | "postgres" | "mysql" | "sqlserver";
  readonly adapterName: string;
  queryRaw(q: unknown): Promise<unknown>;
  executeRaw(q: unknown): Promise<number>;
}
interface Transaction extends Queryable {
  readonly options: unknown;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}
interface Adapter extends Queryable {
  executeScript(script: string): Promise<void>;
  startTransaction(isolationLevel?: unknown): Promise<Transaction>;
  dispose(): Promise<void>;
  getConnectionInfo?(): unknown;
}
interface AdapterFactory {
  readonly provider: "sqlite";
  readonly adapterName: string;
  connect(): Promise<Adapter>;
  connectToShadowDb?(): Promise<Adapter>;
}

/**
 * Wraps Prisma's better-sqlite3 adapter factory so that every Prisma statement and
 * transaction takes `lock` (the engine's), and hands the connection to `onConnect`.
 */
export function lockedSqliteAdapter<F>(factory: F, lock: Serialiser, onConnect: (client: BetterSqlite3.Database) => void): F {
  const inner = factory as unknown as AdapterFactory;
  const wrapped: AdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const a = await inner.connect();
      onConnect((a as unknown as { client: BetterSqlite3.Database }).client);
      return {
        provider: a.provider,
        adapterName: a.adapterName,
        queryRaw: (q) => lock.run(() => a.queryRaw(q)),
        executeRaw: (q) => lock.run(() => a.executeRaw(q)),
        executeScript: (s) => lock.run(() => a.executeScript(s)),
        async startTransaction(level) {
          const release = await hold(lock);
          try {
            const tx = await a.startTransaction(level);
            const end = (fn: () => Promise<void>) => async () => {
              try {
                await fn();
              } finally {
                release();
              }
            };
            return {
              provider: tx.provider,
              adapterName: tx.adapterName,
              options: tx.options,
              queryRaw: (q) => tx.queryRaw(q),
              executeRaw: (q) => tx.executeRaw(q),
              commit: end(() => tx.commit()),
              rollback: end(() => tx.rollback()),
            };
          } catch (err) {
            release();
            throw err;
          }
        },
        dispose: () => a.dispose(),
        ...(a.getConnectionInfo ? { getConnectionInfo: () => a.getConnectionInfo!() } : {}),
      };
    },
    ...(inner.connectToShadowDb ? { connectToShadowDb: () => inner.connectToShadowDb!() } : {}),
  };
  return wrapped as unknown as F;
}

// ---------------------------------------------------------------- PostgreSQL

// The schema's DateTime columns are `timestamp(3)` holding UTC (as Prisma writes them): read
// them as UTC and bind Dates as UTC whatever the process's time zone.
const TIMESTAMP_OID = 1114;
const parseUtc = (s: string) => new Date(`${s.replace(" ", "T")}Z`);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary" ? parseUtc : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

// Names of prepared statements, one per distinct text marked prepared() (a handful, all fixed).
const statementNames = new Map<string, string>();
function nameOf(s: Sql): string | undefined {
  if (!isPrepared(s)) return undefined;
  let name = statementNames.get(s.text);
  if (!name) statementNames.set(s.text, (name = `qtask_${statementNames.size + 1}`));
  return name;
}

function pgValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v === undefined) return null;
  if (Array.isArray(v)) return pgArray(v) ?? v;
  return v;
}

/**
 * An array parameter in PostgreSQL's text form, or null for elements this does not handle
 * (left to pg). pg's own serialiser quotes every element through two regular expressions
 * and a concatenation each: for a close batch's arrays that was a tenth of everything a busy
 * worker allocated. Numbers go in bare, strings quoted with `"` and `\` escaped, as pg does.
 */
function pgArray(a: unknown[]): string | null {
  const parts = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "number") parts[i] = String(v);
    else if (typeof v === "string") parts[i] = `"${/["\\]/.test(v) ? v.replace(/["\\]/g, "\\$&") : v}"`;
    else if (typeof v === "boolean") parts[i] = v ? "t" : "f";
    else if (v instanceof Date) parts[i] = `"${v.toISOString()}"`;
    else return null;
  }
  return `{${parts.join(",")}}`;
}

/** A driver on a pg pool of its own (`max` connections). */
export function postgresDriver(url: string, max = 10): NativeDriver {
  const pool = new pg.Pool({ connectionString: url, max, types });
  // Heartbeats get a connection of their own: behind a queue of claims, closes and log writes
  // waiting for the main pool, a busy worker's leases could run out while it is alive.
  const urgentPool = new pg.Pool({ connectionString: url, max: 1, types });
  // A backend killed under an idle client must not crash the process; the next checkout reconnects.
  pool.on("error", () => undefined);
  urgentPool.on("error", () => undefined);
  const on = (c: pg.Pool | pg.PoolClient): NativeDriver => ({
    provider: "postgres",
    query: async (s) => (statementCounter.count++, (await c.query({ name: nameOf(s), text: s.text, values: s.values.map(pgValue) })).rows),
    execute: async (s) => (statementCounter.count++, (await c.query({ name: nameOf(s), text: s.text, values: s.values.map(pgValue) })).rowCount ?? 0),
    async transaction(fn, urgent) {
      if (c !== pool) return fn(on(c));
      const client = await (urgent ? urgentPool : pool).connect();
      let broken = false;
      // A checked-out client has no pool listener: a backend killed between two statements
      // (pg_terminate_backend, failover) would emit an unhandled 'error' and crash the process.
      // The failing statement reports it; here it only marks the client as not to be reused.
      const onError = () => {
        broken = true;
      };
      client.on("error", onError);
      try {
        statementCounter.count += 2;
        await client.query("BEGIN");
        const out = await fn(on(client));
        await client.query("COMMIT");
        return out;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        // A client whose connection broke is destroyed, not returned to the pool.
        client.removeListener("error", onError);
        client.release(broken ? true : undefined);
      }
    },
    close: () => (c === pool ? Promise.all([pool.end(), urgentPool.end()]).then(() => undefined) : Promise.resolve()),
  });
  return on(pool);
}
