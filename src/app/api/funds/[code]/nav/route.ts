import { fundNav } from "@/contracts/funds";
import * as funds from "@/server/funds";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(fundNav, funds.nav);
