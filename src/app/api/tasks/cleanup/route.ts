import { CleanupBody } from "@/contracts/tasks";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { deleteFinishedBefore } from "@/queue/sql/reads";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Deletes finished tasks (with runs, logs, result rows) that finished more than `older_than_days` days ago. */
export const POST = route({ role: "admin", audit: "task.cleanup", body: CleanupBody, bodyLimit: 1024 }, async ({ body }) => {
  const { conn } = await getQueue();
  const deleted = await deleteFinishedBefore(conn, new Date(Date.now() - body.older_than_days * 86_400_000));
  return { json: { deleted }, audit: { details: { older_than_days: body.older_than_days, ...deleted } } };
});
