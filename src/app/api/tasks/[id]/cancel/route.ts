import { cancelTask } from "@/contracts/tasks";
import * as tasks from "@/server/tasks";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(cancelTask, tasks.cancel);
