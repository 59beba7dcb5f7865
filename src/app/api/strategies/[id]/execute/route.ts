import { z } from "zod";
import { ExecuteStrategyBody } from "@/contracts/strategies";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue, registry } from "@/server/queue";
import { enqueue } from "@/queue/enqueue";
import { STRATEGIES } from "@/domain/strategies";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs a screening strategy over all funds: 202 {"task_id"}; matches are the task's result rows. */
export const POST = route(
  {
    role: "operator",
    audit: "strategy.execute",
    params: z.object({ id: z.string().min(1).max(64) }),
    body: ExecuteStrategyBody,
    bodyLimit: 16 * 1024,
  },
  async ({ params, body }) => {
    if (!STRATEGIES.some((s) => s.id === params.id)) throw new HttpError("not_found", `strategy ${params.id} not found`);
    const { conn } = await getQueue();
    const { id } = await enqueue(conn, registry, {
      type: "strategy_screen",
      payload: { strategy: params.id, ...(body.params ? { params: body.params } : {}) },
    });
    return { status: 202, json: { task_id: String(id) }, audit: { target: params.id, details: { task_id: String(id) } } };
  },
);
