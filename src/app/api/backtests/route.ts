import { CreateBacktestBody } from "@/contracts/backtests";
import { route } from "@/server/route";
import { getQueue, registry } from "@/server/queue";
import { enqueueMany } from "@/queue/enqueue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Creates one backtest task per fund, as one batch (one transaction): 201 {"batch_id","task_ids"}. */
export const POST = route({ role: "operator", audit: "backtest.create", body: CreateBacktestBody, bodyLimit: 64 * 1024 }, async ({ body }) => {
  const { conn } = await getQueue();
  const { fund_codes, ...rest } = body;
  const { batchId, ids } = await enqueueMany(
    conn,
    registry,
    [...new Set(fund_codes)].map((fund_code) => ({ type: "backtest", payload: { fund_code, ...rest } })),
    { batchId: `bt-${Date.now().toString(36)}` },
  );
  return {
    status: 201,
    json: { batch_id: batchId, task_ids: ids.map(String) },
    audit: { target: batchId, details: { funds: ids.length, strategy: body.strategy } },
  };
});
