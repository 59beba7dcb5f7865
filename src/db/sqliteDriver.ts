/**
 * The engine's driver on SQLite: the very better-sqlite3 connection Prisma's adapter opened,
 * with statements prepared once and cached, and the wrapper that makes Prisma's own statements
 * and transactions take the same lock as the engine's (see native.ts for why).
 */
import type BetterSqlite3 from "better-sqlite3";
import { statementCounter, type NativeDriver, type Serialiser } from "./native";

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
