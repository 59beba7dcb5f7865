/** The strategy endpoints' verbs: the screening strategies, and running one over all funds. */
import type { executeStrategy, listStrategies } from "@/contracts/strategies";
import { STRATEGIES } from "@/domain/strategies";
import { SCREEN_PARAMS, type ParamGroup } from "@/contracts/researchParams";
import { enqueue } from "@/queue/enqueue";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";
import { withEnqueueQuota } from "./quota";

/** Screening strategies with their default parameters and the declarations behind them. */
export async function list(): Promise<Output<typeof listStrategies>> {
  const groups = SCREEN_PARAMS as Record<string, ParamGroup>;
  return { json: { items: STRATEGIES.map((s) => ({ ...s, param_specs: groups[s.id].specs, param_order: groups[s.id].order })) } };
}

/** Runs a screening strategy over all funds: 202 {"task_id"}; matches are the task's result rows. */
export async function execute({ params, body, principal }: Input<typeof executeStrategy>): Promise<Output<typeof executeStrategy>> {
  if (!STRATEGIES.some((s) => s.id === params.id)) throw new HttpError("not_found", `strategy ${params.id} not found`);
  const { conn } = await getQueue();
  const { id } = await withEnqueueQuota(principal, 1, () =>
    enqueue(conn, registry, {
      type: "strategy_screen",
      payload: { strategy: params.id, ...(body.params ? { params: body.params } : {}) },
      createdBy: principal.name,
    }),
  );
  return { status: 202, json: { task_id: String(id) }, audit: { target: params.id, details: { task_id: String(id) } } };
}
