/**
 * The benchmark's databases. Each measurement gets a fresh, migrated database copied from a
 * template migrated once per run: a file copy on SQLite (under .data/bench/run-<pid>/), a
 * `CREATE DATABASE … TEMPLATE` on PostgreSQL (named qtask_bench_<pid>_<n>). Everything a run
 * creates is removed at its end; leftovers of runs that died (their pid is gone) are removed
 * at the next start. The seeded volume databases (volume.ts) are the only ones kept.
 *
 * The bench reads the engine's tables with its own plain clients (better-sqlite3, pg), never
 * through the engine: `RawDb` runs SQL written with `?` placeholders on either.
 */
import fs from "node:fs";
import path from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import type { Provider } from "../../src/db/url";
import {
  copySqliteTemplate,
  createPgDatabase,
  dropPgDatabase,
  migratedPgTemplate,
  migratedSqliteTemplate,
  removeSqliteFile,
  withDatabase,
  withPgAdmin,
} from "../../scripts/lib/databases";
import { checkNotInterrupted, onCleanup, root } from "./procs";
import { say } from "./log";

export type { Provider };

export const BENCH_DIR = path.join(root, ".data", "bench");
/** PostgreSQL database names the benchmark owns start with this. */
export const PG_PREFIX = "qtask_bench_";

/** A plain connection for the bench's own reads and seeding. */
export interface RawDb {
  provider: Provider;
  url: string;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  one<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T>;
  /**
   * Like one(), as a statement prepared once per connection: for a query repeated many times a
   * second while something is measured, whose planning would otherwise cost more than running it.
   */
  onePrepared<T = Record<string, unknown>>(name: string, sql: string): Promise<T>;
  /** Runs a statement (or, without params, several separated by semicolons). */
  exec(sql: string, params?: unknown[]): Promise<void>;
  /** An SQL expression giving the epoch milliseconds of a DateTime column as a number. */
  ms(column: string): string;
  /** The database clock in epoch milliseconds, as an SQL expression. */
  nowMs: string;
  close(): Promise<void>;
}

export const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : Number(v));

/** Opens a plain connection to a bench database. */
export async function openRaw(url: string): Promise<RawDb> {
  if (/^postgres(ql)?:/i.test(url)) {
    const client = new pg.Client({ connectionString: url });
    // The clean-up drops databases WITH (FORCE): a connection still open then ends with an error event.
    client.on("error", () => undefined);
    await client.connect();
    const conv = (sql: string) => {
      let i = 0;
      return sql.replace(/\?/g, () => `$${++i}`);
    };
    return {
      provider: "postgres",
      url,
      all: async <T>(sql: string, params: unknown[] = []) => (await client.query(conv(sql), params)).rows as T[],
      one: async <T>(sql: string, params: unknown[] = []) => (await client.query(conv(sql), params)).rows[0] as T,
      onePrepared: async <T>(name: string, sql: string) => (await client.query({ name, text: sql })).rows[0] as T,
      exec: async (sql, params) => {
        await client.query(params ? conv(sql) : sql, params);
      },
      // timestamp(3) columns hold UTC wall time; EXTRACT(EPOCH) of a timestamp without time zone reads it as UTC.
      ms: (c) => `(EXTRACT(EPOCH FROM ${c}) * 1000)::float8`,
      nowMs: `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8`,
      close: () => client.end(),
    };
  }
  const file = url.replace(/^file:/i, "");
  const db = new Sqlite(file, { timeout: 10_000 });
  const statements = new Map<string, Sqlite.Statement>();
  return {
    provider: "sqlite",
    url,
    all: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
    one: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).get(...params) as T,
    onePrepared: async <T>(name: string, sql: string) => {
      let st = statements.get(name);
      if (!st) statements.set(name, (st = db.prepare(sql)));
      return st.get() as T;
    },
    exec: async (sql, params) => {
      if (params) db.prepare(sql).run(...params);
      else db.exec(sql);
    },
    // The app stores DateTime as integer epoch milliseconds on SQLite.
    ms: (c) => c,
    nowMs: `CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
    close: async () => {
      db.close();
    },
  };
}

/**
 * Offset of the database clock from this process's Date.now() (db − local), from the query
 * with the shortest round trip among `samples`: 0 when the database's reading falls between
 * the two local readings around it (the same clock, as for a database on this machine),
 * otherwise the difference to their midpoint. It lets times the database recorded (a run's
 * started_at, a task's finished_at) be compared with Date.now() taken here.
 */
export async function clockOffsetMs(raw: RawDb, samples = 15): Promise<{ offsetMs: number; rttMs: number }> {
  let best = { offsetMs: 0, rttMs: Infinity };
  for (let i = 0; i < samples; i++) {
    const a = Date.now();
    const row = await raw.one<{ now: unknown }>(`SELECT ${raw.nowMs} AS now`);
    const b = Date.now();
    const d = num(row.now);
    if (b - a < best.rttMs) best = { offsetMs: d >= a - 1 && d <= b + 1 ? 0 : d - (a + b) / 2, rttMs: b - a };
  }
  return best;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Removes what dead bench runs left behind (their run folders and databases). */
export async function removeLeftovers(pgBaseUrl: string | null): Promise<void> {
  if (fs.existsSync(BENCH_DIR)) {
    for (const name of fs.readdirSync(BENCH_DIR)) {
      const m = /^run-(\d+)$/.exec(name);
      if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) fs.rmSync(path.join(BENCH_DIR, name), { recursive: true, force: true });
    }
  }
  if (!pgBaseUrl) return;
  await withPgAdmin(pgBaseUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}%'`);
    for (const { datname } of rows) {
      const m = new RegExp(`^${PG_PREFIX}(\\d+)_`).exec(datname);
      if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]))) {
        say(`dropping ${datname} (left by an earlier run)`);
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  });
}

/** A fresh database: its URL and how to remove it. */
export interface FreshDb {
  url: string;
  provider: Provider;
  drop(): Promise<void>;
}

/** Makes fresh migrated databases of one provider from a template migrated once. */
export class DbFactory {
  private templateReady: Promise<string> | null = null;
  private n = 0;
  readonly runDir = path.join(BENCH_DIR, `run-${process.pid}`);

  constructor(
    readonly provider: Provider,
    /** PostgreSQL: a server URL whose user may create databases. */
    readonly pgBaseUrl: string | null = null,
  ) {}

  /** PostgreSQL URL of a database on the same server. */
  pgUrl(name: string): string {
    return withDatabase(this.pgBaseUrl as string, name);
  }

  private template(): Promise<string> {
    this.templateReady ??= (async () => {
      if (this.provider === "sqlite") {
        fs.mkdirSync(this.runDir, { recursive: true });
        onCleanup("remove the SQLite run folder", () => fs.rmSync(this.runDir, { recursive: true, force: true }));
        return migratedSqliteTemplate(path.join(this.runDir, "template.db"));
      }
      const name = `${PG_PREFIX}${process.pid}_template`;
      this.dropAtEnd(name);
      await migratedPgTemplate(this.pgBaseUrl as string, name);
      return name;
    })();
    return this.templateReady;
  }

  private dropAtEnd(name: string): void {
    onCleanup(`drop ${name}`, () => dropPgDatabase(this.pgBaseUrl as string, name));
  }

  /** A fresh migrated, empty database. */
  async fresh(label: string): Promise<FreshDb> {
    checkNotInterrupted();
    const template = await this.template();
    const id = `${label}-${++this.n}`;
    if (this.provider === "sqlite") {
      const file = path.join(this.runDir, `${id}.db`);
      return { url: copySqliteTemplate(template, file), provider: "sqlite", drop: async () => removeSqliteFile(file) };
    }
    const name = `${PG_PREFIX}${process.pid}_${id.replace(/\W/g, "_")}`;
    this.dropAtEnd(name);
    const url = await createPgDatabase(this.pgBaseUrl as string, name, template);
    return { url, provider: "postgres", drop: () => dropPgDatabase(this.pgBaseUrl as string, name) };
  }
}

/** Whether a PostgreSQL server answers at `url` (with the reason when it does not). */
export async function pgReachable(url: string): Promise<{ ok: boolean; reason?: string; version?: string }> {
  try {
    const version = await withPgAdmin(url, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v);
    return { ok: true, version };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/**
 * Watching a drain without loading the database under test. Whether any task is left is a
 * prepared EXISTS that stops at the first queued or running row; the count of what is left
 * (which reads every waiting row and is planned anew each time) is for the progress line, at
 * most once a second. Asking COUNT every 50 ms took about a tenth of PostgreSQL's CPU in a
 * drain of 20,000 tasks (more in longer ones): work the queue's own figures then paid for.
 */
// Each status on its own: PostgreSQL has the queued tasks in tasks_claim_idx and the running
// ones in tasks_lease_idx (migration 0023), and no one index holds both.
export function drainWatch(raw: RawDb): { busy(): Promise<boolean>; left(): Promise<number> } {
  return {
    busy: async () =>
      num(
        (
          await raw.onePrepared<{ b: unknown }>(
            "qtask_bench_busy",
            `SELECT CASE WHEN EXISTS (SELECT 1 FROM tasks WHERE status = 'queued' OR status = 'running') THEN 1 ELSE 0 END AS b`,
          )
        ).b,
      ) === 1,
    left: async () =>
      num((await raw.onePrepared<{ n: unknown }>("qtask_bench_left", `SELECT COUNT(*) AS n FROM tasks WHERE status = 'queued' OR status = 'running'`)).n),
  };
}
