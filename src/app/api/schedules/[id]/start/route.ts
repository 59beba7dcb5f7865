import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { assertRunnable, scheduleOr404, schedulesJson } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Starts a supervised schedule: the scheduler keeps one task of it running from now on. */
export const POST = route({ role: "operator", audit: "schedule.start", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertRunnable(old);
  if (old.kind !== "supervised") throw new HttpError("conflict", "only supervised schedules are started and stopped; use resume");
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: true, nextRunAt: new Date() } });
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}` } };
});
