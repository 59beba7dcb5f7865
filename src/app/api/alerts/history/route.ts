import { alertHistory } from "@/contracts/alerts";
import * as alerts from "@/server/alerts";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(alertHistory, alerts.history);
