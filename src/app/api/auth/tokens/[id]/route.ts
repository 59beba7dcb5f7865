import { revokeToken } from "@/contracts/auth";
import * as tokens from "@/server/tokens";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = route(revokeToken, tokens.revoke);
