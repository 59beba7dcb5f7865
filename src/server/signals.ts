/** Enqueueing and reading signal batches (shared by the two batch endpoints). */
import type { z } from "zod";
import type { SignalsBatchBody, SignalsPage } from "@/contracts/signals";
import { enqueue } from "@/queue/enqueue";
import { HttpError } from "./errors";
import { getQueue, registry } from "./queue";

/** Enqueues a signals_batch task; answers 202 with its id. */
export async function enqueueSignals(body: z.infer<typeof SignalsBatchBody>) {
  const { conn } = await getQueue();
  const { id } = await enqueue(conn, registry, { type: "signals_batch", payload: body });
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
export async function signalsPage(taskId: number, page: number, pageSize: number): Promise<SignalsPage> {
  const { database } = await getQueue();
  const db = database.db;
  const task = await db.task.findUnique({ where: { id: taskId } });
  if (!task || task.type !== "signals_batch") throw new HttpError("not_found", `signals task ${taskId} not found`);
  const [total, rows] = await Promise.all([
    db.resultRow.count({ where: { taskId } }),
    db.resultRow.findMany({ where: { taskId }, orderBy: [{ createdAt: "asc" }, { rowKey: "asc" }], skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  const payload = JSON.parse(task.payload) as { fund_codes?: string[]; all?: boolean };
  const expected = payload.fund_codes ? new Set(payload.fund_codes).size : task.status === "succeeded" ? total : null;
  return {
    task_id: String(task.id),
    status: task.status,
    progress: task.progress,
    run_id: task.runId === null ? null : String(task.runId),
    total,
    expected,
    page,
    page_size: pageSize,
    items: rows.map((r) => JSON.parse(r.data)),
  };
}
