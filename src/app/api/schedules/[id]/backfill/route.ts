import { startBackfill } from "@/contracts/backfills";
import * as backfills from "@/server/backfills";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(startBackfill, backfills.start);
