import { getOverview } from "@/contracts/overview";
import * as overview from "@/server/overview";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getOverview, overview.get);
