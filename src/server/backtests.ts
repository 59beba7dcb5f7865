/** The backtest endpoints' verbs: one backtest task per fund as a batch, the batch with each fund's metrics, and their CSV downloads. */
import { stringify } from "csv-stringify/sync";
import {
  BacktestMetrics,
  type BacktestBatch,
  type BacktestMetrics as BacktestMetricsT,
  type BacktestStrategy,
  type backtestBatchCsv,
  type backtestEquityCsv,
  type createBacktests,
  type getBacktestBatch,
} from "@/contracts/backtests";
import { backtestFigures } from "./backtestFigures";
import { sweepableSpecs } from "@/contracts/sweeps";
import { randomBytes } from "node:crypto";
import type { Prisma } from "@/generated/sqlite/client";
import { csvSafe } from "./csvCell";
import { rollUp } from "./rollUp";
import { enqueueMany } from "@/queue/enqueue";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";
import { withEnqueueQuota } from "./quota";

/** A new batch id: `sw-` marks a sweep (its page is the heatmap), `bt-` a plain batch. */
export const newBatchId = (kind: "sw" | "bt") => `${kind}-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;

/**
 * The backtests of a batch id as the history names them: a batch, or "task-{id}" for a backtest
 * enqueued alone (by a schedule), which the history lists as a batch of one.
 */
export function backtestBatchWhere(batchId: string): Prisma.TaskWhereInput {
  const single = /^task-(\d{1,15})$/.exec(batchId);
  return single ? { id: Number(single[1]), type: "backtest" } : { batchId, type: "backtest" };
}

/** Creates one backtest task per fund, as one batch (one transaction): 201 {"batch_id","task_ids"}. */
export async function create({ body, principal }: Input<typeof createBacktests>): Promise<Output<typeof createBacktests>> {
  const { conn } = await getQueue();
  const { fund_codes, ...rest } = body;
  const funds = [...new Set(fund_codes)];
  const { batchId, ids } = await withEnqueueQuota(principal, funds.length, () =>
    enqueueMany(
      conn,
      registry,
      funds.map((fund_code) => ({ type: "backtest", payload: { fund_code, ...rest }, createdBy: principal.name })),
      { batchId: newBatchId("bt") },
    ),
  );
  return {
    status: 201,
    json: { batch_id: batchId, task_ids: ids.map(String) },
    audit: { target: batchId, details: { funds: ids.length, strategy: body.strategy } },
  };
}

/** Every task of a backtest batch with its status and result metrics (the equity curve is in GET /api/tasks/{id}). */
export async function batch({ params }: Input<typeof getBacktestBatch>): Promise<Output<typeof getBacktestBatch>> {
  return { json: await batchJson(params.batch_id) };
}

/** The batch as GET answers it; 404 when no backtest has that batch id. */
async function batchJson(batchId: string): Promise<BacktestBatch> {
  const { database } = await getQueue();
  const tasks = await database.db.task.findMany({
    where: backtestBatchWhere(batchId),
    orderBy: { id: "asc" },
    select: { id: true, runId: true, payload: true, status: true, progress: true, error: true },
  });
  if (tasks.length === 0) throw new HttpError("not_found", `backtest batch ${batchId} not found`);
  const figures = await backtestFigures(
    database.db,
    tasks.filter((t) => t.status === "succeeded").map((t) => t.id),
  );
  const { counts } = rollUp(tasks);
  const items = tasks.map((t) => {
    const payload = JSON.parse(t.payload) as { fund_code: string; strategy: string; params?: Record<string, number> };
    const f = figures.get(t.id);
    return {
      task_id: String(t.id),
      run_id: t.runId === null ? null : String(t.runId),
      fund_code: payload.fund_code,
      fund_name: f?.fund_name ?? null,
      strategy: payload.strategy,
      params: Object.fromEntries(
        sweepableSpecs(payload.strategy as BacktestStrategy).map((p) => [p.key, payload.params?.[p.key] ?? p.default]),
      ),
      status: t.status,
      progress: t.progress,
      metrics: f?.metrics ?? null,
      error: t.error ? t.error.split("\n")[0] : null,
    };
  });
  return { batch_id: batchId, total: tasks.length, counts, items };
}

/** The columns of the batch CSV after the fund's: every metric, in the order BacktestMetrics declares them. */
const METRIC_COLUMNS = Object.keys(BacktestMetrics.shape) as (keyof BacktestMetricsT)[];

/** A CSV response with a BOM (spreadsheets then read the UTF-8 Chinese names right); every cell made formula-safe. */
function csvResponse(rows: unknown[][], filename: string): Response {
  const cell = (v: unknown) => csvSafe(v === null || v === undefined ? "" : String(v));
  return new Response("\ufeff" + stringify(rows.map((r) => r.map(cell))), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${filename}"` },
  });
}

/** A batch's metrics as CSV: fund, params, status and every figure per row. */
export async function batchCsv(input: Input<typeof backtestBatchCsv>): Promise<Output<typeof backtestBatchCsv>> {
  const json = await batchJson(input.params.batch_id);
  const params = [...new Set(json.items.flatMap((i) => Object.keys(i.params)))];
  const rows: unknown[][] = [["task_id", "fund_code", "fund_name", "strategy", ...params, "status", ...METRIC_COLUMNS, "error"]];
  for (const i of json.items)
    rows.push([
      i.task_id,
      i.fund_code,
      i.fund_name,
      i.strategy,
      ...params.map((k) => i.params[k] ?? null),
      i.status,
      ...METRIC_COLUMNS.map((k) => i.metrics?.[k] ?? null),
      i.error,
    ]);
  const safeName = input.params.batch_id.replace(/[^\w.-]/g, "_");
  return csvResponse(rows, `backtests-${safeName}.csv`);
}

/** One backtest's equity curve as CSV. */
export async function equityCsv({ params }: Input<typeof backtestEquityCsv>): Promise<Output<typeof backtestEquityCsv>> {
  const { database } = await getQueue();
  const t = await database.db.task.findUnique({ where: { id: params.task_id }, select: { type: true, result: true, status: true } });
  if (!t || t.type !== "backtest") throw new HttpError("not_found", `backtest ${params.task_id} not found`);
  if (!t.result) throw new HttpError("conflict", `backtest ${params.task_id} has no result yet (${t.status})`);
  const equity =
    (JSON.parse(t.result) as { equity?: { date: string; value: number; buy_hold?: number; benchmark?: number | null; drawdown?: number }[] })
      .equity ?? [];
  const rows: unknown[][] = [["date", "strategy", "buy_hold", "benchmark", "drawdown"]];
  for (const p of equity) rows.push([p.date, p.value, p.buy_hold ?? null, p.benchmark ?? null, p.drawdown ?? null]);
  return csvResponse(rows, `backtest-${params.task_id}-equity.csv`);
}
