import { deleteSchedule, getSchedule, updateSchedule } from "@/contracts/schedules";
import * as schedules from "@/server/schedules";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getSchedule, schedules.get);
export const PATCH = route(updateSchedule, schedules.update);
export const DELETE = route(deleteSchedule, schedules.remove);
