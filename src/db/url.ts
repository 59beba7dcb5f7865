/**
 * Where the database is: `DATABASE_URL` (a `file:` or `postgres(ql)://` URL) or, when it is
 * unset, the embedded SQLite file `.data/qtask.db`. Shared by the app, the worker, the
 * launcher and the Prisma CLI configs so that they can never disagree.
 */
import path from "node:path";

export type Provider = "sqlite" | "postgres";

/** Default SQLite file, relative to the project root. */
export const DEFAULT_SQLITE_FILE = path.join(".data", "qtask.db");

/** The effective database URL. */
export function databaseUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.DATABASE_URL?.trim();
  return url ? url : `file:${DEFAULT_SQLITE_FILE}`;
}

/** Which provider a URL selects; throws for anything else so a typo fails loudly. */
export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (/^file:/i.test(url)) return "sqlite";
  throw new Error(`DATABASE_URL must start with file:, postgres:// or postgresql:// (got ${JSON.stringify(url.slice(0, 40))})`);
}

/** The file path of a `file:` URL (relative paths are relative to the working directory). */
export function sqliteFile(url: string): string {
  return url.replace(/^file:/i, "").replace(/\?.*$/, "");
}
