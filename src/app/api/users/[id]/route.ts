import { deleteUser, updateUser } from "@/contracts/users";
import * as users from "@/server/users";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PATCH = route(updateUser, users.update);
export const DELETE = route(deleteUser, users.remove);
