import { getHealth } from "@/contracts/system";
import * as health from "@/server/health";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getHealth, health.check);
