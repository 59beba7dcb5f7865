import { z } from "zod";
import { IdParam } from "@/contracts/common";
import { SignalsPageQuery } from "@/contracts/signals";
import { route } from "@/server/route";
import { signalsPage } from "@/server/signals";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** A page of a signals batch's results (by fund code); items fill in while the task runs. */
export const GET = route({ role: "viewer", params: z.object({ task_id: IdParam }), query: SignalsPageQuery }, async ({ params, query }) => ({
  json: await signalsPage(params.task_id, query.page, query.page_size),
}));
