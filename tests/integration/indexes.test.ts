/**
 * The task indexes on columns that are NULL for most tasks are partial (migration 0007), so
 * the claim's and the close's row updates add no entries to them. This guards both halves:
 * the indexes stay partial (a `prisma migrate dev` would quietly make them full again), and
 * every query shape the engine and the dashboard use on those columns can still use them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type Sql } from "@/queue/dialect";
import { execute, query, transaction } from "@/queue/sql/executor";
import { freshDb, providers, type TestDb } from "./support/db";

const PARTIAL = ["tasks_idempotency_key_key", "tasks_batch_idx", "tasks_parent_idx", "tasks_finished_idx"];

/** The query shapes on those columns, each with the index that must be able to serve it. */
const SHAPES: { shape: string; index: string; q: Sql }[] = [
  { shape: "a batch's tasks", index: "tasks_batch_idx", q: sql`SELECT id FROM tasks WHERE batch_id = ${"b-1"}` },
  { shape: "several batches' tasks", index: "tasks_batch_idx", q: sql`SELECT id FROM tasks WHERE batch_id IN (${"b-1"}, ${"b-2"})` },
  { shape: "a task's children", index: "tasks_parent_idx", q: sql`SELECT id FROM tasks WHERE parent_id = ${7}` },
  { shape: "an idempotency key", index: "tasks_idempotency_key_key", q: sql`SELECT id FROM tasks WHERE idempotency_key = ${"k"}` },
  // Prisma's form of the dashboard's list: finishedAt not null, newest first.
  {
    shape: "recently finished",
    index: "tasks_finished_idx",
    q: sql`SELECT id FROM tasks WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 10`,
  },
  { shape: "finished since", index: "tasks_finished_idx", q: sql`SELECT id FROM tasks WHERE finished_at >= ${new Date(0)}` },
];

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
      const defs =
        kind === "postgres"
          ? await query<{ name: string; def: string }>(
              t.conn,
              sql`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'tasks'`,
            )
          : await query<{ name: string; def: string }>(
              t.conn,
              sql`SELECT name, sql AS def FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'`,
            );
      for (const name of PARTIAL) {
        const def = defs.find((d) => d.name === name)?.def ?? "";
        expect(def, name).toMatch(/WHERE \(?"?\w+"? IS NOT NULL\)?$/);
      }
    });

    it.each(SHAPES)("$shape can use $index", async ({ index, q }) => {
      // An empty table: forbid the sequential scan so the plan shows whether the index is usable at all.
      const plan = await transaction(t.conn, async (tx) => {
        if (kind === "postgres") await execute(tx, sql`SET LOCAL enable_seqscan = off`);
        const rows = await query<Record<string, unknown>>(tx, kind === "postgres" ? sql`EXPLAIN ${q}` : sql`EXPLAIN QUERY PLAN ${q}`);
        return rows.map((r) => Object.values(r).join(" ")).join("\n");
      });
      expect(plan).toContain(index);
    });
  });
}
