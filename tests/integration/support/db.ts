/** Fresh databases for integration tests, on every available provider. */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { copySqliteTemplate, createPgDatabase, dropPgDatabase, removeSqliteFile, withDatabase } from "../../../scripts/lib/databases";
import { openDatabase, type Database } from "@/db/client";
import { connOf, type Conn } from "@/queue/sql/executor";

export type Kind = "sqlite" | "postgres";

/** The providers to run against, with whether each is available here. */
export function providers(): { kind: Kind; available: boolean }[] {
  return [
    { kind: "sqlite", available: true },
    { kind: "postgres", available: inject("postgresTemplateUrl") !== null },
  ];
}

/** A fresh, migrated, empty database. */
export interface TestDb {
  kind: Kind;
  url: string;
  database: Database;
  conn: Conn;
  /** Closes the client and removes the database. */
  drop(): Promise<void>;
}

/** Creates a fresh database of `kind` from the suite's migrated template. */
export async function freshDb(kind: Kind): Promise<TestDb> {
  const id = randomBytes(5).toString("hex");
  let url: string;
  let remove: () => Promise<void>;
  if (kind === "sqlite") {
    const template = inject("sqliteTemplate");
    const file = path.join(path.dirname(template), `t-${id}.db`);
    url = copySqliteTemplate(template, file);
    remove = async () => removeSqliteFile(file);
  } else {
    const templateUrl = inject("postgresTemplateUrl");
    if (!templateUrl) throw new Error("PostgreSQL is not available for this test run");
    const name = `qtask_t_${id}`;
    // Through the maintenance database: a connection to the template would block copying it.
    const admin = withDatabase(templateUrl, "postgres");
    url = await createPgDatabase(admin, name, new URL(templateUrl).pathname.slice(1));
    remove = () => dropPgDatabase(admin, name);
  }
  const database = await openDatabase(url);
  return {
    kind,
    url,
    database,
    conn: connOf(database.db, database.provider),
    async drop() {
      await database.close();
      await remove();
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs = 20_000, what = "condition"): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}

/** Waits until task `id` has reached a final state (succeeded, failed or cancelled) and returns its row. */
export async function finishedTask(t: TestDb, id: number, timeoutMs = 30_000) {
  const row = () => t.database.db.task.findUniqueOrThrow({ where: { id } });
  await waitFor(async () => ["succeeded", "failed", "cancelled"].includes((await row()).status), timeoutMs, `task ${id} finished`);
  return row();
}
