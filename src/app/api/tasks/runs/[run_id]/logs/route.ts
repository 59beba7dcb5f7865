import { runLogs } from "@/contracts/runs";
import * as runs from "@/server/runs";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(runLogs, runs.logs);
