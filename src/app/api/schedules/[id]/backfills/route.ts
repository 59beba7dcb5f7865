import { listBackfills } from "@/contracts/backfills";
import * as backfills from "@/server/backfills";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listBackfills, backfills.list);
