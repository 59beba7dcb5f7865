import { getMetrics } from "@/contracts/system";
import * as metrics from "@/server/metrics";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getMetrics, metrics.scrape);
