import { testChannel } from "@/contracts/alerts";
import * as alerts from "@/server/alerts";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(testChannel, alerts.sendTest);
