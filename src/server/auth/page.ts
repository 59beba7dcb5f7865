/**
 * Access to pages, checked on the server by every page under (authed): not signed in →
 * /login (with the way back), role too low → a 403 page. Pages call it themselves, because
 * a layout is not re-rendered on client-side navigation.
 */
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { MeJson } from "@/contracts/auth";
import { roleAtLeast, type Role } from "@/contracts/roles";
import { getDatabase } from "@/db/client";
import type { Principal } from "./principal";
import { principalFromSession, SESSION_COOKIE } from "./session";

/** The signed-in user of this page request, or null. */
export async function pagePrincipal(): Promise<Principal | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const { db } = await getDatabase();
  return principalFromSession(db, token);
}

/** What the browser may know about the user. */
export function meJson(p: Principal): MeJson {
  return { kind: p.kind, id: String(p.id), username: p.name, role: p.role };
}

/** Requires a signed-in user; returns whether their role reaches `min`. */
export async function requirePage(min: Role = "viewer"): Promise<{ me: MeJson; allowed: boolean }> {
  const principal = await pagePrincipal();
  if (!principal) {
    const path = (await headers()).get("x-pathname") ?? "/";
    redirect(`/login?next=${encodeURIComponent(path)}`);
  }
  return { me: meJson(principal), allowed: roleAtLeast(principal.role, min) };
}
