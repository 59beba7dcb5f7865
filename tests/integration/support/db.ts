/** Fresh databases for integration tests, on every available provider. */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
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

function adminUrl(templateUrl: string): string {
  const u = new URL(templateUrl);
  u.pathname = "/postgres";
  return u.toString();
}

/** Creates a fresh database of `kind` from the suite's migrated template. */
export async function freshDb(kind: Kind): Promise<TestDb> {
  const id = randomBytes(5).toString("hex");
  if (kind === "sqlite") {
    const template = inject("sqliteTemplate");
    const file = path.join(path.dirname(template), `t-${id}.db`);
    fs.copyFileSync(template, file);
    const url = `file:${file}`;
    const database = await openDatabase(url);
    return {
      kind,
      url,
      database,
      conn: connOf(database.db, database.provider),
      async drop() {
        await database.close();
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const templateUrl = inject("postgresTemplateUrl");
  if (!templateUrl) throw new Error("PostgreSQL is not available for this test run");
  const name = `qtask_t_${id}`;
  const admin = new pg.Client({ connectionString: adminUrl(templateUrl) });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${new URL(templateUrl).pathname.slice(1)}`);
  await admin.end();
  const u = new URL(templateUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = await openDatabase(url);
  return {
    kind,
    url,
    database,
    conn: connOf(database.db, database.provider),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: adminUrl(templateUrl) });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
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
