import { rerunBacktests } from "@/contracts/sweeps";
import * as sweeps from "@/server/sweeps";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(rerunBacktests, sweeps.rerun);
