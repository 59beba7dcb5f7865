import { countBulkTasks } from "@/contracts/bulk";
import * as bulk from "@/server/bulkFilter";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(countBulkTasks, bulk.count);
