/**
 * The results CSV export (both databases, through the real route handler): cells a
 * spreadsheet would evaluate as formulas come out as text, numbers stay numbers.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueue } from "@/queue/enqueue";
import { registry } from "@/tasks";
import type { RouteHandler } from "@/server/route";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`results export on ${kind}`, () => {
    let t: TestDb;
    let session = "";
    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      session = (await signedInUser(t.database.db, "viewer", "viewer")).session;
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    it("neutralises formulas in every cell, the header and the key included", async () => {
      const { id } = await enqueue(t.conn, registry, { type: "noop", payload: {} });
      const run = await t.database.db.run.create({ data: { taskId: id, attempt: 1, workerId: "test", status: "succeeded" } });
      const rows = [
        { key: "000001", data: { name: "=1+2+cmd|' /C calc'!A0", change: -1.25, note: "@SUM(A1)" } },
        { key: "=evil", data: { name: "平安银行", change: "-3.5", note: "\t=1", "=field": "+1+1" } },
      ];
      for (const r of rows)
        await t.database.db.resultRow.create({ data: { taskId: id, runId: run.id, rowKey: r.key, data: JSON.stringify(r.data) } });
      const h = (await import("@/app/api/tasks/[id]/results/download/route")).GET as RouteHandler;
      const res = await callRoute(h, `/api/tasks/${id}/results/download`, { auth: session, params: { id: String(id) } });
      expect(res.status).toBe(200);
      const table = parse((await res.text()).replace(/^\uFEFF/, "")) as string[][];
      expect(table).toEqual([
        ["key", "name", "change", "note", "'=field"],
        ["000001", "'=1+2+cmd|' /C calc'!A0", "-1.25", "'@SUM(A1)", ""],
        ["'=evil", "平安银行", "-3.5", "'\t=1", "'+1+1"],
      ]);
    });
  });
}
