import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { route } from "@/server/route";
import { cancelLiveTasks, scheduleOr404, schedulesJson } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Stops firing (slots while paused are not replayed). */
export const POST = route({ role: "operator", audit: "schedule.pause", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const old = await scheduleOr404(db, params.id);
  const row = await db.schedule.update({
    where: { id: old.id },
    data: { enabled: false },
  });
  // Pausing a supervised schedule stops it: its running task is cancelled too.
  const cancelled = old.kind === "supervised" ? await cancelLiveTasks(db, old.id) : [];
  const [json] = await schedulesJson(db, [row]);
  return { json: { schedule: json }, audit: { target: `${row.id}:${row.name}`, details: cancelled.length ? { cancelled } : undefined } };
});
