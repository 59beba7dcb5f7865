import { route } from "@/server/route";
import { STRATEGIES } from "@/domain/strategies";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Screening strategies with their default parameters. */
export const GET = route({ role: "viewer" }, async () => ({ json: { items: STRATEGIES } }));
