import { deleteRule, patchRule } from "@/contracts/alerts";
import * as alerts from "@/server/alerts";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PATCH = route(patchRule, alerts.updateRule);
export const DELETE = route(deleteRule, alerts.removeRule);
