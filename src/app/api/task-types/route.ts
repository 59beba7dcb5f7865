import { taskTypes } from "@/contracts/catalogue";
import * as catalogue from "@/server/catalogue";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(taskTypes, catalogue.types);
