import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { findTask } from "@/server/tasks";
import { retryTask } from "@/queue/sql/control";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Queues a failed or cancelled task again (one more attempt; a new run); anything else → 409. */
export const POST = route({ role: "operator", audit: "task.retry", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { database, conn } = await getQueue();
  await retryTask(conn, params.id);
  const found = await findTask(database, params.id);
  return { json: { task: found?.task }, audit: { target: String(params.id) } };
});
