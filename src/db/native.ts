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
 *
 * The drivers: sqliteDriver.ts and postgresDriver.ts.
 */
import type { Sql } from "./dialect";
import type { Provider } from "./url";

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
