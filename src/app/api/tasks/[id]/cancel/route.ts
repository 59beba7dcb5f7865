import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { findTask } from "@/server/tasks";
import { cancelTask } from "@/queue/sql/control";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Cancels a task: queued → cancelled now; running → cancel requested; finished → 409. */
export const POST = route({ role: "operator", audit: "task.cancel", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { database, conn } = await getQueue();
  const outcome = await cancelTask(conn, params.id);
  const found = await findTask(database, params.id);
  return { json: { outcome, task: found?.task }, audit: { target: String(params.id), details: { outcome } } };
});
