import { listScheduleFires } from "@/contracts/schedules";
import * as schedules from "@/server/schedules";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listScheduleFires, schedules.fires);
