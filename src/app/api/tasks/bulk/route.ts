import { BulkBody } from "@/contracts/tasks";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { cancelTask, deleteTask, retryTask } from "@/queue/sql/control";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Cancels, retries or deletes many tasks; every id gets its own outcome ("ok" or the error). */
export const POST = route({ role: "operator", audit: "task.bulk", body: BulkBody, bodyLimit: 64 * 1024 }, async ({ body }) => {
  const { conn } = await getQueue();
  const results: { id: string; ok: boolean; outcome?: string; error?: string }[] = [];
  for (const id of body.ids) {
    try {
      const n = Number(id);
      const outcome =
        body.action === "cancel"
          ? await cancelTask(conn, n)
          : body.action === "retry"
            ? (await retryTask(conn, n), "queued")
            : (await deleteTask(conn, n), "deleted");
      results.push({ id, ok: true, outcome });
    } catch (err) {
      results.push({ id, ok: false, error: (err as Error).message });
    }
  }
  const ok = results.filter((r) => r.ok).length;
  return {
    json: { action: body.action, ok, failed: results.length - ok, results },
    audit: { target: `${body.ids.length} tasks`, details: { action: body.action, ok, ids: body.ids.slice(0, 100) } },
  };
});
