/**
 * The "API under volume" database: many tasks, runs, log lines and result rows, inserted with
 * bulk SQL straight into the engine's tables (INSERT … SELECT over generate_series on
 * PostgreSQL, over a recursive CTE on SQLite, in one transaction), matching the columns of
 * prisma/*\/migrations. Seeding takes minutes at full volume, so the result is kept between
 * runs, named by a hash of the migrations and of the seeding SQL (either changing seeds again;
 * reformatting this file does not): .data/bench/volume-<hash>-<scale>.db and the PostgreSQL
 * database qtask_bench_vol_<hash>_<scale>. A seed is written under a temporary name and only
 * renamed when complete, so an interrupted seed is never reused. A cache of the same scale
 * with another hash is removed.
 *
 * Layout (T tasks, L log lines, R result rows), all derived from the spec (see layout()):
 *   tasks     ids 1…T, created over the 30 days before seeding; types by id % 10 (noop, sleep,
 *             flaky, backtest with payload.fund_code, signals_batch, fund_nav_sync); status by
 *             (id / 10) % 100 (88 % succeeded, 7 % failed, 5 % cancelled, independent of the type); the newest 2,050 are
 *             queued (2,000) and running (50). Every non-queued task has one run (run id = task id).
 *   run_logs  half of L in runs of 100,000 lines (ids 1001, 2001, …: succeeded sleep tasks), half in runs
 *             of about 10 lines (even ids).
 *   results   R rows as signals_batch tasks of 10,000 rows each (ids 1008, 2008, …: succeeded), one per fund code.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Sqlite from "better-sqlite3";
import pg from "pg";
import { dropPgDatabase, removeSqliteFile, withPgAdmin } from "../../scripts/lib/databases";
import { BENCH_DIR, DbFactory, PG_PREFIX, type Provider } from "./db";
import { fmt } from "./stats";
import { progress, progressDone, say } from "./log";
import { root } from "./procs";

export interface VolumeSpec {
  scale: "full" | "quick";
  tasks: number;
  logLines: number;
  resultRows: number;
}

export interface VolumeLayout {
  spec: VolumeSpec;
  /** ids above this are queued (up to runningFrom) or running */
  queuedFrom: number;
  runningFrom: number;
  bigRuns: number[];
  linesPerBigRun: number;
  smallRuns: number;
  linesPerSmallRun: number;
  resultTasks: number[];
  rowsPerResultTask: number;
}

export function layout(spec: VolumeSpec): VolumeLayout {
  const T = spec.tasks;
  const linesPerBigRun = 100_000;
  const bigCount = Math.max(1, Math.round(spec.logLines / 2 / linesPerBigRun));
  const bigRuns = Array.from({ length: bigCount }, (_, j) => 1_000 * (j + 1) + 1);
  const small = Math.max(0, spec.logLines - bigCount * linesPerBigRun);
  const evenAvailable = Math.floor((T - 2_100) / 2);
  const linesPerSmallRun = Math.max(10, Math.ceil(small / evenAvailable));
  const smallRuns = Math.ceil(small / linesPerSmallRun);
  const rowsPerResultTask = Math.min(10_000, spec.resultRows);
  const resultTasks = Array.from({ length: Math.max(1, Math.round(spec.resultRows / rowsPerResultTask)) }, (_, j) => 1_000 * (j + 1) + 8);
  const maxSpecial = Math.max(bigRuns[bigRuns.length - 1], resultTasks[resultTasks.length - 1]);
  if (maxSpecial > T - 3_000) throw new Error(`volume spec too small for its layout (${maxSpecial} > ${T - 3_000})`);
  return { spec, queuedFrom: T - 2_050, runningFrom: T - 50, bigRuns, linesPerBigRun, smallRuns, linesPerSmallRun, resultTasks, rowsPerResultTask };
}

/** Hash of the schema (both providers' migrations) and of the seeding SQL for this spec. */
export function volumeHash(spec: VolumeSpec): string {
  const h = createHash("sha256");
  for (const provider of ["sqlite", "postgres"]) {
    const dir = path.join(root, "prisma", provider, "migrations");
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name, "migration.sql");
      if (fs.existsSync(file)) h.update(`${provider}/${name}\n`).update(fs.readFileSync(file));
    }
  }
  // The statements with a fixed time base: what they insert, not how this file is formatted.
  const l = layout(spec);
  for (const d of [SQLITE, POSTGRES]) for (const st of statements(d, l, 0)) h.update(st.sql);
  return h.digest("hex").slice(0, 10);
}

/** A seeded volume database ready for the API benchmark. */
export interface Volume {
  url: string;
  layout: VolumeLayout;
  cached: boolean;
  seedSeconds: number | null;
  rowsPerSecond: number | null;
}

interface Dialect {
  /** SQL prefix defining series `name(v)` from a to b (SQLite), and the FROM item (both). */
  series(name: string, a: number, b: number): { with: string; from: string };
  ts(ms: string): string;
  addMs(col: string, ms: string): string;
  diffMs(a: string, b: string): string;
  pad6(e: string): string;
}

const SQLITE: Dialect = {
  series: (name, a, b) => ({ with: `WITH RECURSIVE ${name}(v) AS (SELECT ${a} UNION ALL SELECT v + 1 FROM ${name} WHERE v < ${b}) `, from: name }),
  ts: (ms) => `(${ms})`,
  addMs: (col, ms) => `(${col} + (${ms}))`,
  diffMs: (a, b) => `(${a} - ${b})`,
  pad6: (e) => `substr('000000' || (${e}), -6, 6)`,
};

const POSTGRES: Dialect = {
  series: (name, a, b) => ({ with: "", from: `generate_series(${a}::bigint, ${b}::bigint) AS ${name}(v)` }),
  ts: (ms) => `(to_timestamp((${ms}) / 1000.0) AT TIME ZONE 'UTC')`,
  addMs: (col, ms) => `(${col} + (${ms}) * INTERVAL '1 millisecond')`,
  diffMs: (a, b) => `(EXTRACT(EPOCH FROM (${a} - ${b})) * 1000)::int`,
  pad6: (e) => `lpad((${e})::text, 6, '0')`,
};

/** The statements that seed `layout`, in order, each with the rows it inserts. */
function statements(d: Dialect, l: VolumeLayout, baseMs: number): { table: string; rows: number; sql: string }[] {
  const T = l.spec.tasks;
  const step = Math.max(1, Math.floor((30 * 86_400_000) / T));
  const out: { table: string; rows: number; sql: string }[] = [];
  const fin = `('succeeded', 'failed', 'cancelled')`;
  const CH = 100_000;
  for (let a = 1; a <= T; a += CH) {
    const b = Math.min(T, a + CH - 1);
    const s = d.series("s", a, b);
    out.push({
      table: "tasks",
      rows: b - a + 1,
      sql: `${s.with}INSERT INTO tasks (id, type, queue, payload, priority, status, run_at, attempts, max_attempts, timeout_ms, batch_id,
          idempotency_key, progress, progress_message, result, error, created_at, started_at, finished_at, cancel_requested, parent_id,
          schedule_id, run_id, worker_id, lease_expires_at)
        SELECT id, type, queue, payload, 500, st, ${d.ts("c")}, CASE WHEN st = 'queued' THEN 0 ELSE 1 END, 3, 300000, 'seed-' || (id / 1000),
          NULL, CASE WHEN st IN ${fin} THEN 100 ELSE 0 END, NULL, CASE WHEN st = 'succeeded' THEN '{"ok":true}' END,
          CASE st WHEN 'failed' THEN 'Error: simulated failure #' || (id % 97) WHEN 'cancelled' THEN 'cancelled by request' END,
          ${d.ts("c")}, CASE WHEN st = 'queued' THEN NULL ELSE ${d.ts("c + 50")} END, CASE WHEN st IN ${fin} THEN ${d.ts("c + 50 + dur")} END,
          false, NULL, NULL, CASE WHEN st = 'queued' THEN NULL ELSE id END, CASE WHEN st = 'running' THEN 'bench-seed' END,
          CASE WHEN st = 'running' THEN ${d.ts(String(baseMs + 400 * 86_400_000))} END
        FROM (
          SELECT id,
            CASE WHEN id > ${l.runningFrom} THEN 'running' WHEN id > ${l.queuedFrom} THEN 'queued'
                 WHEN (id / 10) % 100 < 88 THEN 'succeeded' WHEN (id / 10) % 100 < 95 THEN 'failed' ELSE 'cancelled' END AS st,
            CASE id % 10 WHEN 1 THEN 'sleep' WHEN 5 THEN 'sleep' WHEN 3 THEN 'flaky' WHEN 6 THEN 'backtest' WHEN 7 THEN 'backtest'
                 WHEN 8 THEN 'signals_batch' WHEN 9 THEN 'fund_nav_sync' ELSE 'noop' END AS type,
            CASE id % 10 WHEN 6 THEN 'compute' WHEN 7 THEN 'compute' WHEN 8 THEN 'compute' WHEN 9 THEN 'crawl' ELSE 'default' END AS queue,
            CASE id % 10 WHEN 1 THEN '{"ms":1000}' WHEN 5 THEN '{"ms":1000}' WHEN 3 THEN '{"fail_times":1}'
                 WHEN 6 THEN '{"fund_code":"' || ${d.pad6("id % 2000")} || '","strategy":"ma_cross"}'
                 WHEN 7 THEN '{"fund_code":"' || ${d.pad6("id % 2000")} || '","strategy":"rsi"}'
                 WHEN 8 THEN '{"all":true}' WHEN 9 THEN '{"source":"file","file":"nav.csv"}' ELSE '{}' END AS payload,
            ${baseMs} + id * ${step} AS c,
            ((id % 9973) * 31) % 5000 AS dur
          FROM (SELECT CAST(v AS BIGINT) AS id FROM ${s.from}) ids
        ) x`,
    });
  }
  for (let a = 1; a <= l.queuedFrom; a += CH) {
    const b = Math.min(l.queuedFrom, a + CH - 1);
    out.push({
      table: "runs",
      rows: b - a + 1,
      sql: `INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at, finished_at, duration_ms, error)
        SELECT id, id, 1, max_attempts, 'bench-seed', status, started_at, finished_at,
          CASE WHEN finished_at IS NULL THEN NULL ELSE ${d.diffMs("finished_at", "started_at")} END, error
        FROM tasks WHERE id BETWEEN ${a} AND ${b}`,
    });
  }
  // The running tasks' runs (ids above queuedFrom that are not queued).
  out.push({
    table: "runs",
    rows: T - l.runningFrom,
    sql: `INSERT INTO runs (id, task_id, attempt, max_attempts, worker_id, status, started_at)
      SELECT id, id, 1, max_attempts, 'bench-seed', 'running', started_at FROM tasks WHERE id > ${l.runningFrom}`,
  });
  for (const id of l.bigRuns) {
    const q = d.series("q", 1, l.linesPerBigRun);
    out.push({
      table: "run_logs",
      rows: l.linesPerBigRun,
      sql: `${q.with}INSERT INTO run_logs (run_id, seq, ts, level, message, data)
        SELECT r.id, q.v, ${d.addMs("r.started_at", "q.v")},
          CASE WHEN q.v % 1000 = 0 THEN 'warn' WHEN q.v % 5000 = 17 THEN 'error' ELSE 'info' END,
          'processed record ' || q.v || ' of ${l.linesPerBigRun} (batch ' || (q.v / 500) || ')',
          CASE WHEN q.v % 100 = 0 THEN '{"rows":' || q.v || '}' END
        FROM runs r CROSS JOIN ${q.from} WHERE r.id = ${id}`,
    });
  }
  const SMALL_CH = 50_000;
  for (let k = 0; k < l.smallRuns; k += SMALL_CH) {
    const a = 2 * k + 2;
    const b = 2 * Math.min(l.smallRuns, k + SMALL_CH);
    const q = d.series("q", 1, l.linesPerSmallRun);
    out.push({
      table: "run_logs",
      rows: ((b - a) / 2 + 1) * l.linesPerSmallRun,
      sql: `${q.with}INSERT INTO run_logs (run_id, seq, ts, level, message, data)
        SELECT r.id, q.v, ${d.addMs("r.started_at", "q.v")}, CASE WHEN q.v % 7 = 0 THEN 'debug' ELSE 'info' END,
          'step ' || q.v || ': processed ' || (q.v * 100) || ' rows', NULL
        FROM runs r CROSS JOIN ${q.from} WHERE r.id BETWEEN ${a} AND ${b} AND r.id % 2 = 0`,
    });
  }
  for (const id of l.resultTasks) {
    const q = d.series("q", 1, l.rowsPerResultTask);
    const code = d.pad6("q.v");
    out.push({
      table: "result_rows",
      rows: l.rowsPerResultTask,
      sql: `${q.with}INSERT INTO result_rows (task_id, row_key, run_id, data, created_at)
        SELECT t.id, ${code}, t.id,
          '{"fund_code":"' || ${code} || '","signals":[{"name":"macd","direction":"' ||
            CASE q.v % 3 WHEN 0 THEN 'buy' WHEN 1 THEN 'sell' ELSE 'neutral' END ||
            '","date":"2025-11-20","value":' || (q.v % 1000) || '.25},{"name":"rsi","direction":"neutral","date":"2025-11-20","value":51.5}]}',
          ${d.addMs("t.finished_at", "q.v")}
        FROM tasks t CROSS JOIN ${q.from} WHERE t.id = ${id}`,
    });
  }
  return out;
}

/** Runs the statements with progress lines; returns rows per second. */
async function runStatements(
  label: string,
  list: { table: string; rows: number; sql: string }[],
  exec: (sql: string) => Promise<void>,
): Promise<number> {
  const total = list.reduce((s, x) => s + x.rows, 0);
  const started = Date.now();
  let done = 0;
  let lastShown = 0;
  for (const st of list) {
    await exec(st.sql);
    done += st.rows;
    if (Date.now() - lastShown > 1_000 || done === total) {
      lastShown = Date.now();
      const secs = (Date.now() - started) / 1000;
      const rate = done / Math.max(secs, 0.001);
      progress(
        `seeding ${label}: ${st.table.padEnd(11)} ${fmt(done)} / ${fmt(total)} rows (${fmt(rate)} rows/s, ~${Math.round((total - done) / rate)} s left)`,
      );
    }
  }
  progressDone();
  return total / Math.max((Date.now() - started) / 1000, 0.001);
}

/** Removes cached volume databases of the same scale and another hash (an older schema or seed). */
async function removeStale(provider: Provider, hash: string, scale: string, pgBaseUrl: string | null): Promise<void> {
  if (provider === "sqlite") {
    if (!fs.existsSync(BENCH_DIR)) return;
    for (const name of fs.readdirSync(BENCH_DIR)) {
      const m = /^volume-([0-9a-f]+)-(\w+)\.db$/.exec(name);
      if (m && m[2] === scale && m[1] !== hash) {
        say(`removing the stale volume cache ${name}`);
        removeSqliteFile(path.join(BENCH_DIR, name));
      }
    }
    return;
  }
  await withPgAdmin(pgBaseUrl as string, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${PG_PREFIX}vol_%'`);
    for (const { datname } of rows) {
      if (datname.endsWith(`_${scale}`) && datname !== `${PG_PREFIX}vol_${hash}_${scale}`) {
        say(`dropping the stale volume cache ${datname}`);
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
  });
}

/** The seeded volume database of `spec` on the factory's provider: from the cache, or seeded now. */
export async function ensureVolume(factory: DbFactory, spec: VolumeSpec): Promise<Volume> {
  const l = layout(spec);
  const hash = volumeHash(spec);
  await removeStale(factory.provider, hash, spec.scale, factory.pgBaseUrl);
  if (factory.provider === "sqlite") {
    const file = path.join(BENCH_DIR, `volume-${hash}-${spec.scale}.db`);
    if (fs.existsSync(file)) return { url: `file:${file}`, layout: l, cached: true, seedSeconds: null, rowsPerSecond: null };
    const fresh = await factory.fresh("volume-seed");
    const tmp = fresh.url.replace(/^file:/, "");
    const started = Date.now();
    const db = new Sqlite(tmp);
    let rate: number;
    try {
      db.pragma("journal_mode = OFF");
      db.pragma("synchronous = OFF");
      db.pragma("cache_size = -262144");
      db.pragma("temp_store = MEMORY");
      db.exec("BEGIN");
      rate = await runStatements("sqlite", statements(SQLITE, l, Date.now() - 31 * 86_400_000), async (s) => void db.exec(s));
      db.exec("COMMIT");
      say("seeding sqlite: ANALYZE (as the maintenance task's PRAGMA optimize would)");
      db.exec("ANALYZE");
      db.pragma("journal_mode = WAL");
    } finally {
      db.close();
    }
    fs.renameSync(tmp, file);
    return { url: `file:${file}`, layout: l, cached: false, seedSeconds: (Date.now() - started) / 1000, rowsPerSecond: rate };
  }
  const name = `${PG_PREFIX}vol_${hash}_${spec.scale}`;
  const exists = await withPgAdmin(
    factory.pgBaseUrl as string,
    async (c) => (await c.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount,
  );
  if (exists) return { url: factory.pgUrl(name), layout: l, cached: true, seedSeconds: null, rowsPerSecond: null };
  const fresh = await factory.fresh("volseed");
  const tmpName = new URL(fresh.url).pathname.slice(1);
  const started = Date.now();
  const client = new pg.Client({ connectionString: fresh.url });
  client.on("error", () => undefined);
  await client.connect();
  let rate: number;
  try {
    await client.query("SET synchronous_commit = off");
    await client.query("SET maintenance_work_mem = '256MB'");
    await client.query("BEGIN");
    rate = await runStatements("postgres", statements(POSTGRES, l, Date.now() - 31 * 86_400_000), async (s) => void (await client.query(s)));
    await client.query(`SELECT setval(pg_get_serial_sequence('tasks', 'id'), (SELECT MAX(id) FROM tasks))`);
    await client.query(`SELECT setval(pg_get_serial_sequence('runs', 'id'), (SELECT MAX(id) FROM runs))`);
    await client.query("COMMIT");
    say("seeding postgres: ANALYZE");
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  await withPgAdmin(factory.pgBaseUrl as string, (c) => c.query(`ALTER DATABASE "${tmpName}" RENAME TO "${name}"`));
  await dropPgDatabase(factory.pgBaseUrl as string, tmpName); // nothing left under the old name; keeps the clean-up hook harmless
  return { url: factory.pgUrl(name), layout: l, cached: false, seedSeconds: (Date.now() - started) / 1000, rowsPerSecond: rate };
}

/**
 * Moves the newest finished tasks into the last hour, so the overview's "today" and
 * per-minute figures have data however old the cached seed is.
 */
export async function refreshRecent(url: string, l: VolumeLayout): Promise<void> {
  const hi = l.queuedFrom;
  const lo = hi - 5_000;
  // The daily roll-up starts from nothing, so the first trends request times a first roll-up of
  // every run of the volume (the cached database keeps the previous run's).
  const resetStats = `DELETE FROM daily_stats; DELETE FROM daily_stats_kept_runs;
    UPDATE daily_stats_state SET final_before = NULL, scan_from_id = 0, version = 0, rolled_at = NULL WHERE id = 1;`;
  if (/^postgres/i.test(url)) {
    const c = new pg.Client({ connectionString: url });
    c.on("error", () => undefined);
    await c.connect();
    try {
      await c.query(
        `UPDATE tasks SET finished_at = (clock_timestamp() AT TIME ZONE 'UTC') - ((${hi} - id) * 700) * INTERVAL '1 millisecond'
         WHERE id > ${lo} AND id <= ${hi} AND finished_at IS NOT NULL`,
      );
      await c.query(resetStats);
    } finally {
      await c.end();
    }
    return;
  }
  const db = new Sqlite(url.replace(/^file:/, ""), { timeout: 10_000 });
  try {
    db.exec(
      `UPDATE tasks SET finished_at = CAST(unixepoch('subsec') * 1000 AS INTEGER) - (${hi} - id) * 700
       WHERE id > ${lo} AND id <= ${hi} AND finished_at IS NOT NULL`,
    );
    db.exec(resetStats);
  } finally {
    db.close();
  }
}
