import { createToken, listTokens } from "@/contracts/auth";
import * as tokens from "@/server/tokens";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route(listTokens, tokens.list);
export const POST = route(createToken, tokens.create);
