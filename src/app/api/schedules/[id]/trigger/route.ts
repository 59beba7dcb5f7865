import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { getQueue, registry } from "@/server/queue";
import { assertRunnable, scheduleOr404 } from "@/server/schedules";
import { enqueue } from "@/queue/enqueue";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Enqueues the schedule's task now (outside its slots): {"task_id"}. */
export const POST = route({ role: "operator", audit: "schedule.trigger", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const s = await scheduleOr404(db, params.id);
  assertRunnable(s);
  const { conn } = await getQueue();
  const { id } = await enqueue(conn, registry, {
    type: s.taskType,
    payload: JSON.parse(s.payload),
    priority: s.priority,
    timeoutMs: s.timeoutMs ?? undefined,
    maxAttempts: s.maxAttempts ?? undefined,
    scheduleId: String(s.id),
  });
  await db.schedule.update({ where: { id: s.id }, data: { lastTaskId: id, lastRunAt: new Date() } });
  return { json: { task_id: String(id) }, audit: { target: `${s.id}:${s.name}`, details: { task_id: String(id) } } };
});
