import { deleteTask, getTask } from "@/contracts/tasks";
import * as tasks from "@/server/tasks";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(getTask, tasks.get);
export const DELETE = route(deleteTask, tasks.remove);
