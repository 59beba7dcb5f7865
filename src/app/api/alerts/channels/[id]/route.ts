import { deleteChannel, patchChannel } from "@/contracts/alerts";
import * as alerts from "@/server/alerts";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PATCH = route(patchChannel, alerts.updateChannel);
export const DELETE = route(deleteChannel, alerts.removeChannel);
