import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { cancelLiveTasks, scheduleOr404, schedulesJson } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Stops a supervised schedule: no more restarts, and its running task is cancelled. */
export const POST = route({ role: "operator", audit: "schedule.stop", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  if (old.kind !== "supervised") throw new HttpError("conflict", "only supervised schedules are started and stopped; use pause");
  const row = await db.schedule.update({ where: { id: old.id }, data: { enabled: false } });
  const cancelled = await cancelLiveTasks(db, old.id);
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: { cancelled } } };
});
