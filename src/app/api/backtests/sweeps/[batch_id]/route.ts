import { getSweep } from "@/contracts/sweeps";
import * as sweeps from "@/server/sweeps";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getSweep, sweeps.summary);
