/** The signals endpoints' verbs: enqueueing a signals batch, and reading its results page by page while it runs. */
import type { signalsBatch, signalsBatchAsync, signalsPage } from "@/contracts/signals";
import { enqueue } from "@/queue/enqueue";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import type { Input, Output } from "./route";
import { withEnqueueQuota } from "./quota";

/** The two endpoints that enqueue a signals batch (the same, under two names the team's plan uses). */
type EnqueueSignals = typeof signalsBatch | typeof signalsBatchAsync;

/** Enqueues a signals_batch task for the given funds (or all): 202 with its id. */
export async function enqueueBatch({ body, principal }: Input<EnqueueSignals>): Promise<Output<EnqueueSignals>> {
  const { conn } = await getQueue();
  const { id } = await withEnqueueQuota(principal, 1, () =>
    enqueue(conn, registry, { type: "signals_batch", payload: body, createdBy: principal.name }),
  );
  return {
    status: 202,
    json: { task_id: String(id) },
    audit: { target: String(id), details: { funds: body.all ? "all" : body.fund_codes?.length } },
  };
}

/**
 * One page of a signals batch's results, available while the task is still running. Rows are
 * in the order they were written, so pages already read stay put while new rows arrive.
 */
export async function page({ params, query }: Input<typeof signalsPage>): Promise<Output<typeof signalsPage>> {
  const { database } = await getQueue();
  const db = database.db;
  const taskId = params.task_id;
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task || task.type !== "signals_batch") throw new HttpError("not_found", `signals task ${taskId} not found`);
  const [total, rows] = await Promise.all([
    db.resultRow.count({ where: { taskId } }),
    db.resultRow.findMany({
      where: { taskId },
      orderBy: [{ createdAt: "asc" }, { rowKey: "asc" }],
      skip: (query.page - 1) * query.page_size,
      take: query.page_size,
    }),
  ]);
  const payload = JSON.parse(task.payload) as { fund_codes?: string[]; all?: boolean };
  const expected = payload.fund_codes ? new Set(payload.fund_codes).size : task.status === "succeeded" ? total : null;
  return {
    json: {
      task_id: String(task.id),
      status: task.status,
      progress: task.progress,
      run_id: task.runId === null ? null : String(task.runId),
      total,
      expected,
      page: query.page,
      page_size: query.page_size,
      items: rows.map((r) => JSON.parse(r.data)),
    },
  };
}
