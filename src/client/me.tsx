"use client";
/** The signed-in user on the client, for showing only what their role can do (the server enforces it). */
import { createContext, useContext, type ReactNode } from "react";
import type { MeJson } from "@/contracts/auth";
import { roleAtLeast, type Role } from "@/contracts/roles";

const MeContext = createContext<MeJson | null>(null);

export function MeProvider({ me, children }: { me: MeJson; children: ReactNode }) {
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

/** The signed-in user. */
export function useMe(): MeJson {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() outside of MeProvider");
  return me;
}

/** Whether the signed-in user's role reaches `min`. */
export function useCan(min: Role): boolean {
  return roleAtLeast(useMe().role, min);
}

export const ROLE_COLOR: Record<Role, string> = { viewer: "default", operator: "blue", admin: "gold" };
