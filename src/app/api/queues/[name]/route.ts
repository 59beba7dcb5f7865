import { setQueueLimits } from "@/contracts/queues";
import * as queues from "@/server/queues";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PATCH = route(setQueueLimits, queues.updateLimits);
