import { compareScreens } from "@/contracts/research";
import * as research from "@/server/research";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(compareScreens, research.compareScreenRuns);
