import { executeStrategy } from "@/contracts/strategies";
import * as strategies from "@/server/strategies";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(executeStrategy, strategies.execute);
