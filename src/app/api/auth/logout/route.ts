import { logout } from "@/contracts/auth";
import * as sessions from "@/server/sessions";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(logout, sessions.signOut);
