import { signalsPage } from "@/contracts/signals";
import * as signals from "@/server/signals";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(signalsPage, signals.page);
