import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { LogQuery } from "@/contracts/tasks";
import { HttpError } from "@/server/errors";
import { route } from "@/server/route";
import { getQueue } from "@/server/queue";
import { logPage } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Log lines after `after_seq` (poll with next_after_seq to follow a live run), optionally by level and text. */
export const GET = route({ role: "viewer", params: z.object({ run_id: IdParam }), query: LogQuery }, async ({ params, query }) => {
  const { database } = await getQueue();
  const page = await logPage(database, params.run_id, query);
  if (!page) throw new HttpError("not_found", `run ${params.run_id} not found`);
  return { json: page };
});
