/**
 * The engine's one database seam: every statement of the engine goes through query(),
 * execute() or transaction() here.
 *
 * Why a lock on SQLite: Prisma's better-sqlite3 adapter has a single connection and only
 * serialises *transactions*; a plain statement issued while an interactive transaction is
 * awaiting would run inside that transaction. The engine therefore serialises its own
 * statements per process (better-sqlite3 is synchronous, so nothing is lost), and a
 * transaction's inner statements run on the transaction's connection without the lock.
 */
import type { Db, Tx } from "@/db/client";
import type { Provider } from "@/db/url";
import { dialectOf, type Dialect, type Sql } from "../dialect";

/** Where engine statements go: a client or a caller's transaction, and its dialect. */
export interface Conn {
  db: Db | Tx;
  provider: Provider;
  /** Present on top-level SQLite connections (see above); absent inside transactions. */
  lock?: Lock;
}

/**
 * An async mutex, FIFO except for urgent holders, which go before every waiting normal one:
 * a heartbeat must not wait behind a long queue of log and result writes, or the worker's
 * own leases run out while it is busy (seen under CPU starvation with a 3 s lease).
 */
export class Lock {
  private busy = false;
  private readonly waiting: (() => void)[] = [];
  private readonly urgentWaiting: (() => void)[] = [];

  /** Runs fn when the lock is free (urgent: before the normal waiters). */
  run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        fn()
          .then(resolve, reject)
          .finally(() => this.next());
      };
      if (!this.busy) {
        this.busy = true;
        start();
      } else (urgent ? this.urgentWaiting : this.waiting).push(start);
    });
  }

  private next(): void {
    const n = this.urgentWaiting.shift() ?? this.waiting.shift();
    if (n) n();
    else this.busy = false;
  }
}

/** Options of a statement or transaction. */
export interface RunOptions {
  /** Jump the SQLite lock queue (heartbeats). */
  urgent?: boolean;
}

const locks = new WeakMap<object, Lock>();

/** Makes the engine connection for a client (one lock per SQLite client). */
export function connOf(db: Db | Tx, provider: Provider, inTransaction = false): Conn {
  if (provider !== "sqlite" || inTransaction) return { db, provider };
  let lock = locks.get(db);
  if (!lock) locks.set(db, (lock = new Lock()));
  return { db, provider, lock };
}

/** The dialect of a connection. */
export function dialect(conn: Conn): Dialect {
  return dialectOf(conn.provider);
}

function locked<T>(conn: Conn, fn: () => Promise<T>, opts?: RunOptions): Promise<T> {
  return conn.lock ? conn.lock.run(fn, opts?.urgent) : fn();
}

/** Runs a statement that returns rows. */
export function query<T = Record<string, unknown>>(conn: Conn, statement: Sql): Promise<T[]> {
  return locked(conn, () => conn.db.$queryRaw<T[]>(statement));
}

/** Runs a statement and returns the number of rows it changed. */
export function execute(conn: Conn, statement: Sql): Promise<number> {
  return locked(conn, () => conn.db.$executeRaw(statement));
}

const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 };

/**
 * Runs fn in a transaction (or in the caller's transaction when conn already is one).
 * On SQLite the first statement of fn must be a write: a deferred transaction that reads
 * first cannot upgrade to a writer under contention ("database is locked" whatever the
 * busy timeout).
 */
export function transaction<T>(conn: Conn, fn: (tx: Conn) => Promise<T>, opts?: RunOptions): Promise<T> {
  if (!("$transaction" in conn.db)) return fn(conn);
  const db = conn.db as Db;
  return locked(conn, () => db.$transaction((tx) => fn({ db: tx as Tx, provider: conn.provider }), TX_OPTIONS), opts);
}

/** Normalises a time read back from raw SQL (Date on PostgreSQL, epoch ms on SQLite). */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return null;
}

/** Normalises an integer read back from raw SQL (COUNT(*) is a bigint on both databases). */
export function toInt(value: unknown): number {
  return typeof value === "bigint" ? Number(value) : Number(value ?? 0);
}
