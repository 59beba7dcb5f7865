import { createTask, listTasks } from "@/contracts/tasks";
import * as tasks from "@/server/tasks";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listTasks, tasks.list);
export const POST = route(createTask, tasks.create);
