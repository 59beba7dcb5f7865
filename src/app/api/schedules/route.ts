import { CreateScheduleBody } from "@/contracts/schedules";
import { ListQuery } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { cursorPage } from "@/server/paging";
import { route } from "@/server/route";
import { assertRunnable, checkTask, checkTiming, columnsOf, firstSlot, schedulesJson, timingOf } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Schedules, by id. */
export const GET = route({ role: "viewer", query: ListQuery }, async ({ query }) => {
  const { db } = await getDatabase();
  const rows = await db.schedule.findMany({
    where: query.cursor ? { id: { gt: Number(query.cursor) } } : {},
    orderBy: { id: "asc" },
    take: query.limit + 1,
  });
  const page = cursorPage(rows, query.limit, (r) => r);
  return { json: { items: await schedulesJson(db, page.items), next_cursor: page.next_cursor } };
});

/** Creates a schedule (cron with a time zone, interval, or once); its first slot is the next one after now. */
export const POST = route({ role: "operator", audit: "schedule.create", body: CreateScheduleBody, bodyLimit: 256 * 1024 }, async ({ body }) => {
  const { db } = await getDatabase();
  const cols = columnsOf(body);
  const createdAt = new Date();
  const timing = timingOf({ ...cols, createdAt });
  checkTiming(timing);
  checkTask(body.task_type, body.payload);
  if (cols.enabled) assertRunnable(cols);
  if (await db.schedule.findUnique({ where: { name: body.name } })) throw new HttpError("conflict", `a schedule named ${body.name} exists`);
  const row = await db.schedule.create({ data: { ...cols, createdAt, nextRunAt: firstSlot(timing, createdAt) } });
  const [json] = await schedulesJson(db, [row]);
  return { status: 201, json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: { after: json } } };
});
