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
import { dialectOf, type Dialect, type Sql } from "@/db/dialect";
import { Lock } from "@/db/lock";
import { driverOf, type NativeDriver } from "@/db/native";

/** Where engine statements go: a client or a caller's transaction, and its dialect. */
export interface Conn {
  db: Db | Tx;
  provider: Provider;
  /** Present on top-level SQLite connections (see above); absent inside transactions. */
  lock?: Lock;
  /** The driver the engine's statements go to directly (see native.ts); absent: through Prisma. */
  native?: NativeDriver;
  /** Already inside one of the engine's native transactions. */
  inTransaction?: boolean;
}

/** Options of a statement or transaction. */
export interface RunOptions {
  /** Jump the SQLite lock queue (heartbeats). */
  urgent?: boolean;
}

const locks = new WeakMap<object, Lock>();

/** Makes the engine connection for a client (one lock per SQLite client). */
export function connOf(db: Db | Tx, provider: Provider, inTransaction = false): Conn {
  // A client opened by openDatabase has a native driver (and on SQLite the lock it shares with Prisma).
  const attached = inTransaction ? undefined : driverOf(db);
  if (attached) return { db, provider, native: attached.driver, lock: attached.lock as Lock | undefined };
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
  if (conn.native) {
    const native = conn.native;
    return locked(conn, () => native.query(statement) as Promise<T[]>);
  }
  return locked(conn, () => conn.db.$queryRaw<T[]>(statement));
}

/** Runs a statement and returns the number of rows it changed. */
export function execute(conn: Conn, statement: Sql): Promise<number> {
  if (conn.native) {
    const native = conn.native;
    return locked(conn, () => native.execute(statement));
  }
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
  if (conn.native) {
    if (conn.inTransaction) return fn(conn);
    const native = conn.native;
    return locked(
      conn,
      () => native.transaction((tx) => fn({ db: conn.db, provider: conn.provider, native: tx, inTransaction: true }), opts?.urgent),
      opts,
    );
  }
  if (!("$transaction" in conn.db)) return fn(conn);
  const db = conn.db as Db;
  return locked(conn, () => db.$transaction((tx) => fn({ db: tx as Tx, provider: conn.provider }), TX_OPTIONS), opts);
}

// What a failed *connection* (not a failed statement) looks like through Prisma and pg: the
// server ended the session (57P01 pg_terminate_backend, 57P02/57P03 restart, SQLSTATE class 08),
// pg refuses a client whose socket broke mid-transaction, or the server cannot be reached.
const CONNECTION_ERROR =
  /\b(57P0[123]|08\d{3}|P1001|P1002|P1017)\b|terminating connection|not queryable|connection (terminated|error|refused|reset)|server (has )?closed the connection|can't reach database|DatabaseNotReachable|ECONNRESET|ECONNREFUSED|EPIPE/i;

/** True when `err` says the database connection was lost or unreachable (the statement itself was fine). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: unknown; meta?: unknown };
  let meta = "";
  try {
    meta = JSON.stringify(e.meta ?? "");
  } catch {
    // unserialisable meta: the message has to do
  }
  return CONNECTION_ERROR.test(`${String(e.code ?? "")} ${e.message} ${meta}`);
}

/**
 * Runs an idempotent statement (or transaction), retrying it on a new connection when the
 * connection was lost — PostgreSQL restarted, failed over, or killed the backend — with a
 * doubling delay (default 100 ms … 1.6 s, about 3 s in all). Only for writes that are safe to
 * apply twice: a run's log lines, progress, result rows and its closing are all fenced on the
 * lease and keyed, so a repeat changes nothing, while giving up would fail the attempt (or drop
 * the log) for a reason that is not the task's. Other errors are thrown at once.
 */
export async function retryOnConnectionError<T>(fn: () => Promise<T>, opts: { retries?: number; baseMs?: number } = {}): Promise<T> {
  const retries = opts.retries ?? 5;
  const baseMs = opts.baseMs ?? 100;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= retries || !isConnectionError(err)) throw err;
      await new Promise((r) => setTimeout(r, baseMs * 2 ** attempt));
    }
  }
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
