import { getTrends } from "@/contracts/trends";
import * as trends from "@/server/trends";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getTrends, trends.trends);
