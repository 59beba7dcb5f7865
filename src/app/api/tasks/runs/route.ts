import { RunListQuery } from "@/contracts/tasks";
import { route } from "@/server/route";
import { cursorPage } from "@/server/paging";
import { getQueue } from "@/server/queue";
import { runJson } from "@/server/tasks";
import { findRunIds } from "@/queue/sql/reads";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs (执行历史), newest first; filters type, status, schedule_id, task_id, from/to (start time). */
export const GET = route({ role: "viewer", query: RunListQuery }, async ({ query }) => {
  const { database, conn } = await getQueue();
  const ids = await findRunIds(
    conn,
    {
      status: query.status,
      taskId: query.task_id ? Number(query.task_id) : undefined,
      type: query.type,
      scheduleId: query.schedule_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    },
    query.limit + 1,
    query.cursor ? Number(query.cursor) : undefined,
  );
  const rows = await database.db.run.findMany({
    where: { id: { in: ids } },
    include: { task: { select: { type: true, queue: true, scheduleId: true } } },
    orderBy: { id: "desc" },
  });
  return { json: cursorPage(rows, query.limit, (r) => ({ ...runJson(r), type: r.task.type, queue: r.task.queue, schedule_id: r.task.scheduleId })) };
});
