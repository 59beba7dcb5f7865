import { z } from "zod";
import type { BacktestBatch } from "@/contracts/backtests";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every task of a backtest batch with its status and result metrics (the equity curve is in GET /api/tasks/{id}). */
export const GET = route({ role: "viewer", params: z.object({ batch_id: z.string().min(1).max(100) }) }, async ({ params }) => {
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
  const body: BacktestBatch = { batch_id: params.batch_id, total: tasks.length, counts, items };
  return { json: body };
});
