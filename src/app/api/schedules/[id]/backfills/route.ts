import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { getDatabase } from "@/db/client";
import { backfillsJson } from "@/server/backfill";
import { route } from "@/server/route";
import { scheduleOr404 } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The schedule's latest backfills (newest first), each with the status of every date. */
export const GET = route({ role: "viewer", params: z.object({ id: IdParam }) }, async ({ params }) => {
  const { db } = await getDatabase();
  const s = await scheduleOr404(db, params.id);
  const rows = await db.scheduleBackfill.findMany({ where: { scheduleId: s.id }, orderBy: { id: "desc" }, take: 20 });
  return { json: { items: await backfillsJson(db, s, rows) } };
});
