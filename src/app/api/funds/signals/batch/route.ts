import { SignalsBatchBody } from "@/contracts/signals";
import { route } from "@/server/route";
import { enqueueSignals } from "@/server/signals";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Enqueues signals for the given funds (or all): 202 {"task_id"} at once; page through the results with batch_async/{task_id}. */
export const POST = route({ role: "operator", audit: "signals.batch", body: SignalsBatchBody, bodyLimit: 512 * 1024 }, async ({ body }) =>
  enqueueSignals(body),
);
