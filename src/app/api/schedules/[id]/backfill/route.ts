import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { BackfillBody } from "@/contracts/schedules";
import { actorName } from "@/server/auth/principal";
import { startBackfill } from "@/server/backfill";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { scheduleOr404 } from "@/server/schedules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Runs the schedule's task type over a date range: one task per trading day, as one batch → 201 {"backfill"}. */
export const POST = route(
  { role: "operator", audit: "schedule.backfill", params: z.object({ id: IdParam }), body: BackfillBody, bodyLimit: 4096 },
  async ({ params, body, principal }) => {
    const { database, conn } = await getQueue();
    const s = await scheduleOr404(database.db, params.id);
    const backfill = await startBackfill(database.db, conn, s, body.from, body.to, actorName(principal));
    return {
      status: 201,
      json: { backfill },
      audit: { target: `${s.id}:${s.name}`, details: { from: body.from, to: body.to, batch_id: backfill.batch_id, tasks: backfill.dates.length } },
    };
  },
);
