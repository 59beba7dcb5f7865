import { SignalsBatchBody } from "@/contracts/signals";
import { route } from "@/server/route";
import { enqueueSignals } from "@/server/signals";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Same as POST /api/funds/signals/batch. */
export const POST = route({ role: "operator", audit: "signals.batch", body: SignalsBatchBody, bodyLimit: 512 * 1024 }, async ({ body }) =>
  enqueueSignals(body),
);
