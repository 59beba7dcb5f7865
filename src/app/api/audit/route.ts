import { listAudit } from "@/contracts/audit";
import * as audit from "@/server/audit";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listAudit, audit.list);
