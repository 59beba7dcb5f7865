import { listStrategies } from "@/contracts/strategies";
import * as strategies from "@/server/strategies";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listStrategies, strategies.list);
