/**
 * The history of screens and backtests (both databases, the real route handlers): who started
 * each run (the API caller, recorded on its tasks, or the schedule), newest first, cursor paged,
 * filtered by strategy, author, schedule and fund, with the headline figures of a batch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteHandler } from "@/server/route";
import { enqueue, enqueueMany } from "@/queue/enqueue";
import { registry } from "@/tasks";
import { callRoute, releaseRouteDb, signedInUser, useRouteDb } from "./support/api";
import { freshDb, providers, type TestDb } from "./support/db";

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`research history on ${kind}`, () => {
    let t: TestDb;
    let alice = "";
    let bob = "";
    let h: Record<"execute" | "backtest" | "screens" | "batches" | "batch" | "compare", RouteHandler>;
    const ids: { aliceBatch: string; bobBatch: string; single: number; screenMa: string; screenMom: string } = {
      aliceBatch: "",
      bobBatch: "",
      single: 0,
      screenMa: "",
      screenMom: "",
    };
    const get = async (handler: RouteHandler, path: string, params?: Record<string, string>) => {
      const res = await callRoute(handler, path, { auth: alice, params });
      return { status: res.status, body: await res.json() };
    };

    beforeAll(async () => {
      t = await freshDb(kind);
      await useRouteDb(t.url);
      h = {
        execute: (await import("@/app/api/strategies/[id]/execute/route")).POST as RouteHandler,
        backtest: (await import("@/app/api/backtests/route")).POST as RouteHandler,
        screens: (await import("@/app/api/strategies/runs/route")).GET as RouteHandler,
        batches: (await import("@/app/api/backtests/batches/route")).GET as RouteHandler,
        batch: (await import("@/app/api/backtests/batches/[batch_id]/route")).GET as RouteHandler,
        compare: (await import("@/app/api/strategies/runs/compare/route")).GET as RouteHandler,
      };
      alice = (await signedInUser(t.database.db, "alice", "operator")).session;
      bob = (await signedInUser(t.database.db, "bob", "operator")).session;

      const post = async (handler: RouteHandler, path: string, auth: string, body: unknown, params?: Record<string, string>) => {
        const res = await callRoute(handler, path, { auth, body, params });
        expect(res.status, path).toBeLessThan(300);
        return res.json();
      };
      ids.bobBatch = (await post(h.backtest, "/api/backtests", bob, { fund_codes: ["000001", "000002", "000003"], strategy: "ma_cross" })).batch_id;
      ids.aliceBatch = (
        await post(h.backtest, "/api/backtests", alice, {
          fund_codes: ["000002", "000009"],
          strategy: "rsi",
          params: { rsi_period: 10 },
          start: "2022-01-04",
        })
      ).batch_id;
      // A schedule's weekly backtest: one task, no batch, no author.
      ids.single = (
        await enqueue(t.conn, registry, { type: "backtest", payload: { fund_code: "000300.SH", strategy: "ma_cross" }, scheduleId: "4242" })
      ).id;
      ids.screenMa = (
        await post(h.execute, "/api/strategies/ma_golden_cross/execute", alice, { params: { ma_short: 10, ma_long: 60 } }, { id: "ma_golden_cross" })
      ).task_id;
      ids.screenMom = (await post(h.execute, "/api/strategies/momentum_top_n/execute", bob, {}, { id: "momentum_top_n" })).task_id;

      // Bob's batch finished: its figures by hand below.
      const bobTasks = await t.database.db.task.findMany({ where: { batchId: ids.bobBatch }, orderBy: { id: "asc" } });
      const figures = [
        { sharpe: 0.5, total_return: 0.1 },
        { sharpe: 1.5, total_return: -0.05 },
        { sharpe: null, total_return: 0.3 },
      ];
      for (const [i, task] of bobTasks.entries())
        await t.database.db.task.update({
          where: { id: task.id },
          data: { status: "succeeded", progress: 100, result: JSON.stringify({ fund_name: `基金${i}`, metrics: figures[i] }) },
        });
      // The momentum screen matched 000009.
      await t.database.db.resultRow.create({ data: { taskId: Number(ids.screenMom), rowKey: "000009", runId: 0, data: "{}" } });
    });
    afterAll(async () => {
      await releaseRouteDb();
      await t?.drop();
    });

    it("lists backtest batches newest first with who started them, their params and headline figures", async () => {
      const res = await get(h.batches, "/api/backtests/batches");
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { batch_id: string }) => i.batch_id)).toEqual([`task-${ids.single}`, ids.aliceBatch, ids.bobBatch]);
      const [single, a, b] = res.body.items;
      expect(single).toMatchObject({ author: null, schedule_id: "4242", strategy: "ma_cross", total: 1 });
      expect(a).toMatchObject({
        author: "alice",
        strategy: "rsi",
        params: { rsi_period: 10 },
        start: "2022-01-04",
        total: 2,
        benchmark: "000300.SH",
      });
      expect(b).toMatchObject({
        author: "bob",
        total: 3,
        counts: { succeeded: 3 },
        progress: 100,
        median_sharpe: 1, // (0.5 + 1.5) / 2: the run without a Sharpe is left out
        best_sharpe: { fund_code: "000002", value: 1.5 },
        median_return: 0.1,
        best_return: { fund_code: "000003", value: 0.3 },
      });
      expect(b.funds.map((f: { fund_name: string }) => f.fund_name)).toEqual(["基金0", "基金1", "基金2"]);
    });

    it("filters by author, strategy, schedule and fund, and pages with a cursor", async () => {
      const keys = async (q: string) => (await get(h.batches, `/api/backtests/batches?${q}`)).body.items.map((i: { batch_id: string }) => i.batch_id);
      expect(await keys("author=bob")).toEqual([ids.bobBatch]);
      expect(await keys("strategy=rsi")).toEqual([ids.aliceBatch]);
      expect(await keys("schedule=4242")).toEqual([`task-${ids.single}`]);
      expect(await keys("fund=000002")).toEqual([ids.aliceBatch, ids.bobBatch]);
      expect(await keys("fund=000001")).toEqual([ids.bobBatch]);
      const first = await get(h.batches, "/api/backtests/batches?limit=2");
      expect(first.body.items).toHaveLength(2);
      expect(first.body.next_cursor).not.toBeNull();
      const second = await get(h.batches, `/api/backtests/batches?limit=2&cursor=${first.body.next_cursor}`);
      expect(second.body.items.map((i: { batch_id: string }) => i.batch_id)).toEqual([ids.bobBatch]);
      expect(second.body.next_cursor).toBeNull();
      // Named batches, to compare them: in the order given; an unknown one is left out.
      expect(await keys(`batches=${ids.bobBatch},nope,${ids.aliceBatch}`)).toEqual([ids.bobBatch, ids.aliceBatch]);
      expect((await get(h.batches, `/api/backtests/batches?batches=${"x,".repeat(5)}x`)).status).toBe(400);
      // A schedule's single backtest opens like a batch.
      const one = await get(h.batch, `/api/backtests/batches/task-${ids.single}`, { batch_id: `task-${ids.single}` });
      expect(one.status).toBe(200);
      expect(one.body.items).toHaveLength(1);
    });

    it("lists screens newest first and filters them the same way", async () => {
      const res = await get(h.screens, "/api/strategies/runs");
      expect(res.status).toBe(200);
      expect(res.body.items.map((i: { task_id: string }) => i.task_id)).toEqual([ids.screenMom, ids.screenMa]);
      expect(res.body.items[1]).toMatchObject({
        strategy: "ma_golden_cross",
        author: "alice",
        params: { ma_short: 10, ma_long: 60 },
        status: "queued",
      });
      const keys = async (q: string) => (await get(h.screens, `/api/strategies/runs?${q}`)).body.items.map((i: { task_id: string }) => i.task_id);
      expect(await keys("author=alice")).toEqual([ids.screenMa]);
      expect(await keys("strategy=momentum_top_n")).toEqual([ids.screenMom]);
      expect(await keys("fund=000009")).toEqual([ids.screenMom]);
      expect(await keys("schedule=1")).toEqual([]);
      const paged = await get(h.screens, "/api/strategies/runs?limit=1");
      expect((await get(h.screens, `/api/strategies/runs?limit=1&cursor=${paged.body.next_cursor}`)).body.items[0].task_id).toBe(ids.screenMa);
    });

    it("compares two screen runs: side by side, and which funds entered and left", async () => {
      // The MA screen matched 000001 and 000009; the momentum screen (later) 000009 and 000002.
      for (const [task, code] of [
        [ids.screenMa, "000001"],
        [ids.screenMa, "000009"],
        [ids.screenMom, "000002"],
      ] as const)
        await t.database.db.resultRow.create({
          data: { taskId: Number(task), rowKey: code, runId: 0, data: JSON.stringify({ fund_code: code, fund_name: `基金${code}` }) },
        });
      const res = await get(h.compare, `/api/strategies/runs/compare?ids=${ids.screenMom},${ids.screenMa}`);
      expect(res.status).toBe(200);
      // Oldest first, whatever order the ids came in.
      expect(res.body.runs.map((r: { task_id: string }) => r.task_id)).toEqual([ids.screenMa, ids.screenMom]);
      expect(res.body.runs[0]).toMatchObject({ strategy: "ma_golden_cross", params: { ma_short: 10, ma_long: 60 }, author: "alice" });
      expect(res.body.changes).toEqual([
        {
          from: ids.screenMa,
          to: ids.screenMom,
          entered: [{ fund_code: "000002", fund_name: "基金000002" }],
          left: [{ fund_code: "000001", fund_name: "基金000001" }],
          stayed: 1,
        },
      ]);
      for (const q of ["ids=1", "ids=a,b", `ids=${ids.screenMa},${ids.screenMa}`, "ids=1,2,3,4,5,6", ""])
        expect((await get(h.compare, `/api/strategies/runs/compare?${q}`)).status, q).toBe(400);
      expect((await get(h.compare, `/api/strategies/runs/compare?ids=${ids.screenMa},999999`)).status).toBe(404);
      // A backtest's task id is not a screen run.
      expect((await get(h.compare, `/api/strategies/runs/compare?ids=${ids.screenMa},${ids.single}`)).status).toBe(404);
    });

    it("pages batches whose ids interleave (enqueued at the same moment) without losing or repeating one", async () => {
      const bt = (fund_code: string) => ({ type: "backtest", payload: { fund_code, strategy: "ma_cross" }, createdBy: "dave" });
      await enqueueMany(t.conn, registry, [bt("000001"), bt("000002")], { batchId: "il-a" });
      await enqueueMany(t.conn, registry, [bt("000003"), bt("000004")], { batchId: "il-b" });
      await enqueueMany(t.conn, registry, [bt("000005")], { batchId: "il-a" });
      const single = (await enqueue(t.conn, registry, bt("000006"))).id;
      const all = await get(h.batches, "/api/backtests/batches?author=dave");
      expect(all.body.items.map((i: { batch_id: string; total: number }) => [i.batch_id, i.total])).toEqual([
        [`task-${single}`, 1],
        ["il-a", 3],
        ["il-b", 2],
      ]);
      const pages: string[][] = [];
      let cursor = "";
      do {
        const res = await get(h.batches, `/api/backtests/batches?author=dave&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
        pages.push(res.body.items.map((i: { batch_id: string }) => i.batch_id));
        cursor = res.body.next_cursor ?? "";
      } while (cursor && pages.length < 10);
      expect(pages).toEqual([[`task-${single}`], ["il-a"], ["il-b"]]);
    });

    it("refuses bad filters with 400 and the envelope", async () => {
      for (const q of ["limit=0", "limit=101", "cursor=abc", "strategy=DROP%20TABLE", "fund=%25", "color=red"]) {
        for (const [handler, path] of [
          [h.screens, "/api/strategies/runs"],
          [h.batches, "/api/backtests/batches"],
        ] as const) {
          const res = await get(handler, `${path}?${q}`);
          expect(res.status, `${path}?${q}`).toBe(400);
          expect(res.body.error.code).toBe("invalid_input");
        }
      }
    });
  });
}
