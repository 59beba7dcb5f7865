/**
 * The Prisma client and the dialect switch. App code compiles against the SQLite client's
 * API (model types are identical on both providers; see README "Databases"); the PostgreSQL
 * client is used at run time when DATABASE_URL is a postgres URL.
 */
import path from "node:path";
import { PrismaClient as SqliteClient } from "@/generated/sqlite/client";
import { PrismaClient as PgClient } from "@/generated/postgres/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, providerOf, sqliteFile, type Provider } from "./url";
import { secureSqliteFile } from "./files";
import { Lock } from "./lock";
import { attachDriver } from "./native";
import { postgresDriver } from "./postgresDriver";
import { lockedSqliteAdapter, sqliteDriver } from "./sqliteDriver";

/** The client type app code is written against. */
export type Db = SqliteClient;
/** A Prisma transaction client (what `$transaction(async tx => …)` hands over). */
export type Tx = Omit<Db, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** A connected database: its client, its dialect and the URL it came from. */
export interface Database {
  db: Db;
  provider: Provider;
  url: string;
  /** SQLite only: the database file (for the worker's WAL watcher). */
  file?: string;
  close(): Promise<void>;
}

/** SQLite busy timeout: how long a writer waits for the write lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens a database. SQLite: creates the file's folder and the file, the owner's alone (see
 * files.ts), switches to WAL and stores DateTime
 * as integer milliseconds, so the engine's raw SQL compares times as numbers.
 */
export async function openDatabase(url: string = databaseUrl()): Promise<Database> {
  const provider = providerOf(url);
  if (provider === "postgres") {
    const db = new PgClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db;
    // The engine's statements use a pool of their own, straight through pg (see queue/sql/native.ts).
    const engine = postgresDriver(url);
    attachDriver(db, engine);
    return { db, provider, url, close: () => Promise.all([db.$disconnect(), engine.close()]).then(() => undefined) };
  }
  const file = path.resolve(sqliteFile(url));
  secureSqliteFile(file);
  // One connection shared by Prisma and the engine under one lock (see queue/sql/native.ts).
  const lock = new Lock();
  const db = new SqliteClient({
    adapter: lockedSqliteAdapter(
      new PrismaBetterSQLite3({ url: `file:${file}`, timeout: SQLITE_BUSY_TIMEOUT_MS }, { timestampFormat: "unixepoch-ms" }),
      lock,
      (client) => attachDriver(db, sqliteDriver(client), lock),
    ),
  });
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  // NORMAL is durable against process crashes in WAL mode (only an OS crash can lose the last commits).
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  await db.$queryRawUnsafe(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return { db, provider, url, file, close: () => db.$disconnect() };
}

const g = globalThis as unknown as { __qtaskDb?: Promise<Database> };

/** The process-wide database (the web server's); opened on first use. */
export function getDatabase(): Promise<Database> {
  g.__qtaskDb ??= openDatabase().catch((err) => {
    g.__qtaskDb = undefined;
    throw err;
  });
  return g.__qtaskDb;
}
