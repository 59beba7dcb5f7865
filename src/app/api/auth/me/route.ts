import type { MeJson } from "@/contracts/auth";
import { route } from "@/server/route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Who is signed in. */
export const GET = route({ role: "viewer" }, async ({ principal }) => {
  const me: MeJson = { kind: principal.kind, id: String(principal.id), username: principal.name, role: principal.role };
  return { json: { user: me } };
});
