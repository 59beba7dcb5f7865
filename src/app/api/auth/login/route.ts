import { login } from "@/contracts/auth";
import * as sessions from "@/server/sessions";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = route(login, sessions.signIn);
