import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { assertRunnable, firstSlot, scheduleOr404, schedulesJson, timingOf } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Fires again from the next slot after now. */
export const POST = route({ role: "operator", audit: "schedule.resume", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  assertRunnable(old);
  const row = await db.schedule.update({
    where: { id: old.id },
    data: { enabled: true, nextRunAt: firstSlot(timingOf(old)) },
  });
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}` } };
});
