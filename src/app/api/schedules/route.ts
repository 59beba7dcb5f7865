import { createSchedule, listSchedules } from "@/contracts/schedules";
import * as schedules from "@/server/schedules";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listSchedules, schedules.list);
export const POST = route(createSchedule, schedules.create);
