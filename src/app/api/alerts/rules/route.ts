import { createRule, listRules } from "@/contracts/alerts";
import * as alerts from "@/server/alerts";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listRules, alerts.rules);
export const POST = route(createRule, alerts.addRule);
