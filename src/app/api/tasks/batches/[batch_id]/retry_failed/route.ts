import { z } from "zod";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { retryTask } from "@/queue/sql/control";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Retries the failed (and cancelled) tasks of a batch only. */
export const POST = route(
  { role: "operator", audit: "task.batch_retry_failed", params: z.object({ batch_id: z.string().min(1).max(100) }) },
  async ({ params }) => {
    const { database, conn } = await getQueue();
    const failed = await database.db.task.findMany({
      where: { batchId: params.batch_id, status: { in: ["failed", "cancelled"] } },
      select: { id: true },
    });
    if (failed.length === 0 && (await database.db.task.count({ where: { batchId: params.batch_id } })) === 0)
      throw new HttpError("not_found", `batch ${params.batch_id} not found`);
    for (const t of failed) await retryTask(conn, t.id);
    return { json: { retried: failed.length }, audit: { target: params.batch_id, details: { retried: failed.length } } };
  },
);
