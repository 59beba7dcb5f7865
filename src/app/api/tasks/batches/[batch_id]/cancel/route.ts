import { cancelBatch } from "@/contracts/batches";
import * as batches from "@/server/batches";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(cancelBatch, batches.cancel);
