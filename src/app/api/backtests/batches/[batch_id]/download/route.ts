import { backtestBatchCsv } from "@/contracts/backtests";
import * as backtests from "@/server/backtests";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(backtestBatchCsv, backtests.batchCsv);
