import { getDocs } from "@/contracts/system";
import * as docs from "@/server/docs";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getDocs, docs.reference);
