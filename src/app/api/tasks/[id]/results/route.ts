import { taskResults } from "@/contracts/tasks";
import * as results from "@/server/results";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(taskResults, results.results);
