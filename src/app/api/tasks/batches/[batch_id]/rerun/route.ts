import { rerunBatch } from "@/contracts/batches";
import * as batches from "@/server/batches";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(rerunBatch, batches.rerun);
