/**
 * Throw-away databases for the test suite and the benchmark: a template migrated once, then a
 * fresh copy per use — a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL — and
 * its removal. Both the integration suite (tests/integration/support) and `npm run bench`
 * (bench/lib/db.ts) make their databases with these.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { migrate } from "../../src/db/migrate";

/** A PostgreSQL URL pointing at database `name` on the same server. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs fn with a connection to the PostgreSQL server (the given database, else the maintenance database `postgres`). */
export async function withPgAdmin<T>(baseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  let client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err; // database does not exist: use the maintenance one
    client = new pg.Client({ connectionString: withDatabase(baseUrl, "postgres"), connectionTimeoutMillis: 5_000 });
    client.on("error", () => undefined);
    await client.connect();
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** (Re)creates PostgreSQL database `name`, empty or as a copy of `template`; returns its URL. */
export async function createPgDatabase(baseUrl: string, name: string, template?: string): Promise<string> {
  await withPgAdmin(baseUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  });
  return withDatabase(baseUrl, name);
}

/** Drops PostgreSQL database `name` (its connections are closed first). */
export async function dropPgDatabase(baseUrl: string, name: string): Promise<void> {
  await withPgAdmin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Creates PostgreSQL database `name` and applies the migrations: a template to copy from. */
export async function migratedPgTemplate(baseUrl: string, name: string): Promise<string> {
  const url = await createPgDatabase(baseUrl, name);
  migrate(url);
  return url;
}

/** A migrated SQLite file at `file` (replacing any there): a template to copy from. */
export function migratedSqliteTemplate(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  removeSqliteFile(file);
  migrate(`file:${file}`);
  return file;
}

/** A copy of a SQLite template at `file`; returns its URL. */
export function copySqliteTemplate(template: string, file: string): string {
  fs.copyFileSync(template, file);
  return `file:${file}`;
}

/** Removes a SQLite database file with its WAL, shared-memory and journal files. */
export function removeSqliteFile(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
}
