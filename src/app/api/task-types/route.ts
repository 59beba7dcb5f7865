import { route } from "@/server/route";
import { registry } from "@/server/queue";
import { taskTypes } from "@/server/dashboard";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Registered task types with queue, mode, defaults and the JSON Schema of their payload. */
export const GET = route({ role: "viewer" }, async () => ({ json: { items: taskTypes(registry) } }));
