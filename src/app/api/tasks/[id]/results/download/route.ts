import { taskResultsCsv } from "@/contracts/tasks";
import * as results from "@/server/results";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(taskResultsCsv, results.resultsCsv);
