/**
 * The SQL differences between SQLite and PostgreSQL, one commented clause each. The engine's
 * statements are written once with these pieces; nothing else in the engine branches on
 * the provider except wake-ups (LISTEN/NOTIFY vs watching the WAL file).
 */
import { Prisma } from "@/generated/sqlite/client";
import type { Provider } from "@/db/url";

export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const join = Prisma.join;
export const raw = Prisma.raw;
export const empty = Prisma.empty;

const PREPARED = new WeakSet<Sql>();

/**
 * Marks a hot-path statement whose text does not vary (lists go in as arrays) to be prepared
 * once per PostgreSQL connection: planning a claim or close afresh cost more than running it.
 * No effect on SQLite, where every statement is prepared and cached anyway.
 */
export function prepared(s: Sql): Sql {
  PREPARED.add(s);
  return s;
}

/** Whether `s` was marked with prepared(). */
export function isPrepared(s: Sql): boolean {
  return PREPARED.has(s);
}

export type SqlType = "int" | "bigint" | "text" | "timestamp" | "bool";

const PG_TYPES: Record<SqlType, string> = {
  int: "integer",
  bigint: "bigint",
  text: "text",
  timestamp: "timestamp(3)",
  bool: "boolean",
};

/** One provider's spelling of the engine's dialect-dependent pieces. */
export interface Dialect {
  provider: Provider;
  /** The database clock as a value of a DateTime column. */
  now: Sql;
  /** The database clock plus `ms` milliseconds (ms is a bound parameter). */
  nowPlus(ms: number): Sql;
  /** Row locking for a claim candidate select. */
  skipLocked: Sql;
  /** A bound parameter with an explicit type where the database cannot infer one. */
  param(value: unknown, type: SqlType): Sql;
  /** A LIMIT's row count (a non-negative integer). */
  limit(n: number): Sql;
  /**
   * `text` contains `part`, exactly (case-sensitive, no wildcards): LIKE would read `%` and `_`
   * in the part as wildcards, and compares case-insensitively on SQLite only.
   */
  contains(text: Sql, part: string): Sql;
}

// SQLite stores DateTime as integer milliseconds (openDatabase sets the adapter's
// timestampFormat), so the clock is a number and arithmetic is addition. The claim needs no
// row lock: a single UPDATE … RETURNING holds SQLite's one write lock for its duration.
const sqlite: Dialect = {
  provider: "sqlite",
  now: sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
  nowPlus: (ms) => sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER) + ${Math.round(ms)})`,
  skipLocked: empty,
  param: (value) => sql`${value}`,
  // Written into the text: SQLite plans `ORDER BY … LIMIT ?` without knowing the count and
  // claimed 5× slower than with the number in the statement (350 µs vs 65 µs for ten tasks).
  // The few distinct counts are each prepared once and cached.
  limit: (n) => raw(String(Math.max(0, Math.trunc(n)))),
  contains: (text, part) => sql`instr(${text}, ${part}) > 0`,
};

// PostgreSQL columns are `timestamp(3)` holding UTC (as Prisma writes them), so the clock is
// taken in UTC whatever the session time zone; clock_timestamp() rather than now() so a long
// transaction does not hand out leases that started in the past. SKIP LOCKED lets many
// workers claim at once without waiting on each other's candidate rows. Parameters inside
// VALUES lists have no column to infer a type from, hence the casts.
//
// The clock is truncated to the millisecond, as SQLite's is: stored into timestamp(3) it was
// rounded, up half the time, so a new task's run_at could lie up to 0.5 ms ahead of the clock
// of a claim that came right after it (which then missed it; an idle worker slept 10 ms more).
// The truncation costs 77 ns a reading (a million in 292 ms against 215), a few readings per
// task: under 1% of its server time.
const PG_NOW = sql`date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC')`;
const postgres: Dialect = {
  provider: "postgres",
  now: PG_NOW,
  nowPlus: (ms) => sql`(${PG_NOW} + ${Math.round(ms)}::float8 * interval '1 millisecond')`,
  skipLocked: sql`FOR UPDATE SKIP LOCKED`,
  param: (value, type) => sql`${value}::${raw(PG_TYPES[type])}`,
  // A parameter: the statement text stays the same and prepared; the plan does not depend on it.
  limit: (n) => sql`${Math.max(0, Math.trunc(n))}`,
  contains: (text, part) => sql`strpos(${text}, ${part}::text) > 0`,
};

/** The dialect of a provider. */
export function dialectOf(provider: Provider): Dialect {
  return provider === "postgres" ? postgres : sqlite;
}
