import { events } from "@/contracts/events";
import { stream } from "@/server/events/stream";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(events, stream);
