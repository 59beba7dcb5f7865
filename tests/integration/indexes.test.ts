/**
 * The task indexes that skip most rows: those on columns that are NULL for most tasks hold
 * only the rows where the column is set (migration 0007), and the claim index only queued
 * tasks (migration 0008), so the claim's and the close's row updates add no entries to them.
 * This guards both halves: the indexes stay partial (a `prisma migrate dev` would quietly make
 * them full again), and every query shape the engine and the dashboard use on those columns
 * can still use them. It also checks that the task list's queue and status filters read their
 * page by an index in the list's order, on a populated table (migrations 0008 and 0009).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Sql } from "@/db/dialect";
import { dialect, execute, query, transaction, type Conn } from "@/queue/sql/executor";
import { taskIdsQuery } from "@/queue/sql/reads";
import { freshDb, providers, type TestDb } from "./support/db";

/** The index on status: PostgreSQL's tasks_lease_idx (status, queue, lease), SQLite's tasks_status_idx (status, id). */
const BY_STATUS = "tasks_lease_idx|tasks_status_idx";
const QUEUED = `tasks_claim_idx|${BY_STATUS}`;
const PARTIAL = ["tasks_idempotency_key_key", "tasks_batch_idx", "tasks_parent_idx", "tasks_finished_idx", "tasks_schedule_idx"];

/**
 * The query shapes on those columns, each with the index that must be able to serve it (or
 * one of them: the queued tasks are also a section of the index that leads with status).
 */
const SHAPES: { shape: string; index: string; q: Sql }[] = [
  { shape: "a batch's tasks", index: "tasks_batch_idx", q: sql`SELECT id FROM tasks WHERE batch_id = ${"b-1"}` },
  { shape: "several batches' tasks", index: "tasks_batch_idx", q: sql`SELECT id FROM tasks WHERE batch_id IN (${"b-1"}, ${"b-2"})` },
  { shape: "a task's children", index: "tasks_parent_idx", q: sql`SELECT id FROM tasks WHERE parent_id = ${7}` },
  // On this empty table tasks_type_idx (type, id) ties with it for `type = …` (both one page); the
  // next shape, the enqueue's own, must use the key index.
  {
    shape: "an idempotency key",
    index: "tasks_idempotency_key_key|tasks_type_idx",
    q: sql`SELECT id FROM tasks WHERE type = ${"noop"} AND idempotency_key = ${"k"}`,
  },
  // The enqueue's lookup of keys another unfinished task holds (src/queue/sql/enqueue.ts).
  {
    shape: "idempotency keys",
    index: "tasks_idempotency_key_key",
    q: sql`SELECT id, type, idempotency_key FROM tasks WHERE type IN (${"noop"}, ${"sleep"}) AND idempotency_key IN (${"a"}, ${"b"})`,
  },
  // A schedule's page: its latest tasks, its live ones (cancelled with it), its runs (migration 0009).
  {
    shape: "a schedule's latest tasks",
    index: "tasks_schedule_idx",
    q: sql`SELECT id FROM tasks WHERE schedule_id = ${"3"} ORDER BY id DESC LIMIT 12`,
  },
  {
    shape: "a schedule's live tasks",
    index: "tasks_schedule_idx",
    q: sql`SELECT id FROM tasks WHERE schedule_id = ${"3"} AND status IN ('queued', 'running')`,
  },
  {
    shape: "a schedule's runs",
    index: "tasks_schedule_idx",
    q: sql`SELECT id FROM runs WHERE task_id IN (SELECT id FROM tasks WHERE schedule_id = ${"3"}) ORDER BY id DESC LIMIT 11`,
  },
  { shape: "scheduled tasks", index: "tasks_schedule_idx", q: sql`SELECT id FROM tasks WHERE schedule_id IS NOT NULL` },
  // Prisma's form of the dashboard's list: finishedAt not null, newest first.
  {
    shape: "recently finished",
    index: "tasks_finished_idx",
    q: sql`SELECT id FROM tasks WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 10`,
  },
  { shape: "finished since", index: "tasks_finished_idx", q: sql`SELECT id FROM tasks WHERE finished_at >= ${new Date(0)}` },
  // The claim's candidates of one queue (src/queue/sql/claim.ts).
  {
    shape: "a claim's candidates",
    index: "tasks_claim_idx",
    q: sql`SELECT id FROM tasks WHERE queue = ${"default"} AND status = 'queued' AND run_at <= ${new Date()}
           ORDER BY priority DESC, run_at, id LIMIT 10`,
  },
  { shape: "the next due", index: QUEUED, q: sql`SELECT MIN(run_at) FROM tasks WHERE status = 'queued' AND queue IN (${"default"}, ${"compute"})` },
  { shape: "the next queued", index: QUEUED, q: sql`SELECT id FROM tasks WHERE status = 'queued' ORDER BY priority DESC, run_at, id LIMIT 50` },
  { shape: "queued per queue", index: QUEUED, q: sql`SELECT queue, COUNT(*) FROM tasks WHERE status = 'queued' GROUP BY queue` },
  // The task list's type filter (tasks_type_idx is partial on a condition every type filter proves, migration 0023).
  { shape: "a type's tasks", index: "tasks_type_idx", q: sql`SELECT id FROM tasks WHERE type IN (${"noop"}, ${"sleep"})` },
  { shape: "running per queue", index: BY_STATUS, q: sql`SELECT queue, COUNT(*) FROM tasks WHERE status = 'running' GROUP BY queue` },
  { shape: "expired leases", index: BY_STATUS, q: sql`SELECT id FROM tasks WHERE status = 'running' AND lease_expires_at < ${new Date()}` },
  {
    shape: "a heartbeat's runs",
    index: BY_STATUS,
    q: sql`SELECT run_id FROM tasks WHERE status = 'running' AND run_id IN (${1}, ${2})`,
  },
];

/** An index's definition as the database reports it ("" if there is none). */
async function indexDef(t: TestDb, kind: string, name: string): Promise<string> {
  const rows =
    kind === "postgres"
      ? await query<{ def: string }>(t.conn, sql`SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'tasks' AND indexname = ${name}`)
      : await query<{ def: string }>(t.conn, sql`SELECT sql AS def FROM sqlite_master WHERE type = 'index' AND name = ${name}`);
  return rows[0]?.def ?? "";
}

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`partial task indexes on ${kind}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDb(kind);
    });
    afterAll(async () => {
      await t.drop();
    });

    it("index only the rows whose column is set", async () => {
      for (const name of PARTIAL) expect(await indexDef(t, kind, name), name).toMatch(/WHERE \(?"?\w+"? IS NOT NULL\)?$/);
    });

    it("index only the queued tasks for claims", async () => {
      const def = await indexDef(t, kind, "tasks_claim_idx");
      // PostgreSQL: WHERE (status = 'queued'::text); SQLite: the migration's own text.
      expect(def).toMatch(/WHERE \(?"?status"? = 'queued'(::text)?\)?$/);
      expect(def).not.toMatch(/\("?queue"?, "?status"?/);
    });

    it.each(SHAPES)("$shape can use $index", async ({ index, q }) => {
      // An empty table: forbid the sequential scan so the plan shows whether the index is usable at all.
      expect(await planOf(t.conn, q, { noSeqScan: true })).toMatch(new RegExp(index));
    });
  });

  // The claim index served the task list's queue filter until it became partial: the list
  // must still find a rare queue's tasks by an index and a common queue's in id order, as
  // each database's planner chooses them for the real statement over a realistic table. The
  // status filter (the dashboard's tabs) must read a status's newest tasks without sorting it.
  describe.skipIf(!available)(`the task list's queue and status filters on ${kind}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDb(kind);
      const d = dialect(t.conn);
      await execute(
        t.conn,
        sql`WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < 20000)
            INSERT INTO tasks (type, queue, status, run_at, created_at)
            SELECT 'noop', CASE WHEN v % 5000 = 0 THEN 'groups' WHEN v % 10 = 0 THEN 'crawl' ELSE 'default' END,
                   CASE WHEN v > 19000 THEN 'queued' WHEN v % 20 = 0 THEN 'failed' ELSE 'succeeded' END, ${d.now}, ${d.now}
            FROM s`,
      );
      await execute(t.conn, sql`ANALYZE`);
    });
    afterAll(async () => {
      await t.drop();
    });

    const index = kind === "postgres" ? "tasks_lease_idx" : "tasks_queue_idx";
    it(`finds a rare queue's tasks by ${index}`, async () => {
      expect(await planOf(t.conn, taskIdsQuery(t.conn, { queue: "groups" }, 51))).toContain(index);
    });

    it("reads a common queue's newest tasks without sorting the queue", async () => {
      const plan = await planOf(t.conn, taskIdsQuery(t.conn, { queue: "default" }, 51));
      // PostgreSQL walks the primary key backwards; SQLite reads tasks_queue_idx in id order.
      expect(plan).toMatch(kind === "postgres" ? /Index Scan Backward using tasks_pkey/ : /tasks_queue_idx/);
      expect(plan).not.toMatch(/Sort|TEMP B-TREE|SCAN tasks$/m);
    });

    it("returns a queue's tasks, newest first, with and without a status filter", async () => {
      const ids = async (f: Parameters<typeof taskIdsQuery>[1]) =>
        (await query<{ id: unknown }>(t.conn, taskIdsQuery(t.conn, f, 5))).map((r) => Number(r.id));
      expect(await ids({ queue: "groups" })).toEqual([20000, 15000, 10000, 5000]);
      expect(await ids({ queue: "crawl", statuses: ["queued"] })).toEqual([19990, 19980, 19970, 19960, 19950]);
      expect(await ids({ queue: "crawl", statuses: ["failed"] })).toEqual([19000, 18980, 18960, 18940, 18920]);
    });

    it("reads a common status's newest tasks without sorting the status", async () => {
      const plan = await planOf(t.conn, taskIdsQuery(t.conn, { statuses: ["succeeded"] }, 51));
      // PostgreSQL walks the primary key backwards; SQLite reads tasks_status_idx in id order
      // (migration 0009: tasks_lease_idx sorted all 900,000 succeeded tasks of a million for a page).
      expect(plan).toMatch(kind === "postgres" ? /Index Scan Backward using tasks_pkey/ : /tasks_status_idx/);
      expect(plan).not.toMatch(/Sort|TEMP B-TREE|SCAN tasks$/m);
    });

    it("reads the finished tab's statuses by an index", async () => {
      // Several statuses: SQLite reads at most a page of each from tasks_status_idx in id order
      // and merges them (its plan still says TEMP B-TREE, for those few rows).
      const plan = await planOf(t.conn, taskIdsQuery(t.conn, { statuses: ["succeeded", "failed", "cancelled"] }, 51));
      expect(plan).toMatch(kind === "postgres" ? /tasks_pkey/ : /tasks_status_idx/);
      expect(plan).not.toMatch(/SCAN tasks$/m);
    });

    it("returns a status's tasks, newest first, across cursor pages", async () => {
      const ids = async (f: Parameters<typeof taskIdsQuery>[1], cursor?: number) =>
        (await query<{ id: unknown }>(t.conn, taskIdsQuery(t.conn, f, 4, cursor))).map((r) => Number(r.id));
      expect(await ids({ statuses: ["failed"] })).toEqual([19000, 18980, 18960, 18940]);
      expect(await ids({ statuses: ["failed"] }, 18940)).toEqual([18920, 18900, 18880, 18860]);
      expect(await ids({ statuses: ["succeeded", "failed"] }, 19001)).toEqual([19000, 18999, 18998, 18997]);
      expect(await ids({ statuses: ["queued"] })).toEqual([20000, 19999, 19998, 19997]);
      expect(await ids({ statuses: ["queued", "failed"] }, 19001)).toEqual([19000, 18980, 18960, 18940]);
      expect(await ids({ statuses: ["failed"], types: ["noop"] }, 40)).toEqual([20]);
    });
  });
}

// PostgreSQL (migration 0023): the statistics of a queue table mostly describe finished tasks
// (vacuum and analyze run once the backlog is gone), and new task ids lie past everything the
// last analyze saw. Under such statistics the claim read every queued task by tasks_lease_idx
// and sorted them for each claim, a close of 200 tasks scanned the whole tasks_type_idx once
// per id (3-5 s), and with fresh statistics the close's runs were each found by a scan of the
// whole runs_task_idx (130 ms a close); none of those indexes can serve those statements now.
for (const { kind, available } of providers().filter((p) => p.kind === "postgres")) {
  describe.skipIf(!available)(`the engine's statements under a finished table's statistics on ${kind}`, () => {
    let t: TestDb;
    let fresh: number[];
    beforeAll(async () => {
      t = await freshDb(kind);
      await execute(
        t.conn,
        sql`INSERT INTO tasks (type, queue, status, finished_at) SELECT 'noop', 'default', 'succeeded', now() FROM generate_series(1, 20000)`,
      );
      await execute(t.conn, sql`INSERT INTO runs (task_id, attempt, status, started_at) SELECT id, 1, 'succeeded', now() FROM tasks`);
      await execute(t.conn, sql`VACUUM ANALYZE tasks`);
      await execute(t.conn, sql`VACUUM ANALYZE runs`);
      const rows = await query<{ id: unknown }>(
        t.conn,
        sql`INSERT INTO tasks (type, queue) SELECT 'noop', 'default' FROM generate_series(1, 5000) RETURNING id`,
      );
      fresh = rows.map((r) => Number(r.id));
    });
    afterAll(async () => {
      await t.drop();
    });

    it("keeps the queued tasks out of tasks_lease_idx and the type condition on tasks_type_idx", async () => {
      expect(await indexDef(t, kind, "tasks_lease_idx")).toMatch(/WHERE \(status <> 'queued'::text\)$/);
      expect(await indexDef(t, kind, "tasks_type_idx")).toMatch(/WHERE \(type IS NOT NULL\)$/);
    });

    it("reads a claim's candidates from tasks_claim_idx only", async () => {
      const plan = await planOf(
        t.conn,
        sql`SELECT id FROM tasks WHERE queue = ${"default"} AND status = 'queued' AND run_at <= ${new Date()}
            ORDER BY priority DESC, run_at, id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        { noSeqScan: true },
      );
      expect(plan).toMatch(/tasks_claim_idx/);
      expect(plan).not.toMatch(/tasks_lease_idx/);
    });

    it("finds a close's tasks by the primary key, never by tasks_type_idx", async () => {
      const ids = fresh.slice(0, 200);
      const plan = await planOf(
        t.conn,
        sql`UPDATE tasks SET status = 'succeeded' WHERE id = ANY(${ids}::int[]) AND run_id = ANY(${ids}::int[]) AND COALESCE(status, '') = 'running'`,
        { noSeqScan: true },
      );
      expect(plan).toMatch(/tasks_pkey/);
      expect(plan).not.toMatch(/tasks_type_idx/);
    });

    it("finds a close's runs by the primary key, never by runs_task_idx or runs_status_idx", async () => {
      for (const name of ["runs_task_idx", "runs_status_idx"]) {
        const [row] = await query<{ def: string }>(t.conn, sql`SELECT indexdef AS def FROM pg_indexes WHERE indexname = ${name}`);
        expect(row?.def, name).toMatch(/WHERE \(\w+ IS NOT NULL\)$/);
      }
      const plan = await planOf(t.conn, sql`UPDATE runs SET status = 'succeeded' WHERE id IN (SELECT unnest(${fresh.slice(0, 200)}::int[]))`, {
        noSeqScan: true,
      });
      expect(plan).toMatch(/runs_pkey/);
      expect(plan).not.toMatch(/runs_task_idx|runs_status_idx/);
      // A task's runs, and a schedule's, are still read by runs_task_idx.
      expect(await planOf(t.conn, sql`SELECT id FROM runs WHERE task_id = ${fresh[0]} ORDER BY id`, { noSeqScan: true })).toMatch(/runs_task_idx/);
      expect(await planOf(t.conn, sql`SELECT id FROM runs WHERE status = 'failed' ORDER BY id DESC LIMIT 50`, { noSeqScan: true })).toMatch(
        /runs_status_idx/,
      );
    });
  });
}

/** The plan of `q` as one string (PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY PLAN). */
async function planOf(conn: Conn, q: Sql, opts: { noSeqScan?: boolean } = {}): Promise<string> {
  return transaction(conn, async (tx) => {
    const pg = dialect(tx).provider === "postgres";
    if (pg && opts.noSeqScan) await execute(tx, sql`SET LOCAL enable_seqscan = off`);
    const rows = await query<Record<string, unknown>>(tx, pg ? sql`EXPLAIN ${q}` : sql`EXPLAIN QUERY PLAN ${q}`);
    return rows.map((r) => Object.values(r).join(" ")).join("\n");
  });
}
