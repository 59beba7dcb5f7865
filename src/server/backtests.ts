/** The backtest endpoints' verbs: one backtest task per fund as a batch, and the batch with each fund's metrics. */
import type { BacktestBatch, createBacktests, getBacktestBatch } from "@/contracts/backtests";
import { enqueueMany } from "@/queue/enqueue";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";
import { withEnqueueQuota } from "./quota";

/** Creates one backtest task per fund, as one batch (one transaction): 201 {"batch_id","task_ids"}. */
export async function create({ body, principal }: Input<typeof createBacktests>): Promise<Output<typeof createBacktests>> {
  const { conn } = await getQueue();
  const { fund_codes, ...rest } = body;
  const funds = [...new Set(fund_codes)];
  const { batchId, ids } = await withEnqueueQuota(principal, funds.length, () =>
    enqueueMany(
      conn,
      registry,
      funds.map((fund_code) => ({ type: "backtest", payload: { fund_code, ...rest } })),
      { batchId: `bt-${Date.now().toString(36)}` },
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
  const { database } = await getQueue();
  const tasks = await database.db.task.findMany({ where: { batchId: params.batch_id, type: "backtest" }, orderBy: { id: "asc" } });
  if (tasks.length === 0) throw new HttpError("not_found", `backtest batch ${params.batch_id} not found`);
  const counts: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
  const items = tasks.map((t) => {
    counts[t.status] = (counts[t.status] ?? 0) + 1;
    const payload = JSON.parse(t.payload) as { fund_code: string; strategy: string };
    const result = t.result ? (JSON.parse(t.result) as { fund_name?: string; metrics?: BacktestBatch["items"][number]["metrics"] }) : null;
    return {
      task_id: String(t.id),
      run_id: t.runId === null ? null : String(t.runId),
      fund_code: payload.fund_code,
      fund_name: result?.fund_name ?? null,
      strategy: payload.strategy,
      status: t.status,
      progress: t.progress,
      metrics: result?.metrics ?? null,
      error: t.error ? t.error.split("\n")[0] : null,
    };
  });
  return { json: { batch_id: params.batch_id, total: tasks.length, counts, items } };
}
