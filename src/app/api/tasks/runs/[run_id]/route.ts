import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { runDetail } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A run with its task and all runs of that task. */
export const GET = route({ role: "viewer", params: z.object({ run_id: IdParam }) }, async ({ params }) => {
  const { database } = await getQueue();
  const found = await runDetail(database, params.run_id);
  if (!found) throw new HttpError("not_found", `run ${params.run_id} not found`);
  return { json: found };
});
