import { createUser, listUsers } from "@/contracts/users";
import * as users from "@/server/users";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listUsers, users.list);
export const POST = route(createUser, users.create);
