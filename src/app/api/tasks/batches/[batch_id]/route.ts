import { z } from "zod";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { batchRollup } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const BatchParams = z.object({ batch_id: z.string().min(1).max(100) });

/** A batch rolled up: counts by status, overall progress, ETA. The tasks themselves: GET /api/tasks?batch_id=. */
export const GET = route({ role: "viewer", params: BatchParams }, async ({ params }) => {
  const { database } = await getQueue();
  const batch = await batchRollup(database, params.batch_id);
  if (!batch) throw new HttpError("not_found", `batch ${params.batch_id} not found`);
  return { json: batch };
});
