import { RunListQuery } from "@/contracts/tasks";
import { route } from "@/server/route";
import { cursorPage } from "@/server/paging";
import { getQueue } from "@/server/queue";
import { runJson } from "@/server/tasks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs (执行历史), newest first; filters type, status, schedule_id, task_id, from/to (start time). */
export const GET = route({ role: "viewer", query: RunListQuery }, async ({ query }) => {
  const { database } = await getQueue();
  const rows = await database.db.run.findMany({
    where: {
      ...(query.cursor ? { id: { lt: Number(query.cursor) } } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.task_id ? { taskId: Number(query.task_id) } : {}),
      ...(query.from || query.to
        ? { startedAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } }
        : {}),
      ...(query.type || query.schedule_id
        ? { task: { ...(query.type ? { type: query.type } : {}), ...(query.schedule_id ? { scheduleId: query.schedule_id } : {}) } }
        : {}),
    },
    include: { task: { select: { type: true, queue: true, scheduleId: true } } },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  return { json: cursorPage(rows, query.limit, (r) => ({ ...runJson(r), type: r.task.type, queue: r.task.queue, schedule_id: r.task.scheduleId })) };
});
