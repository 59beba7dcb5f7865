/** Who a request acts for: a signed-in user or an API token, with its role. */
import type { Role } from "@/contracts/roles";

export interface Principal {
  kind: "user" | "token";
  id: number;
  /** Username, or the token's name. */
  name: string;
  role: Role;
  /** The session id (hash) for users signed in with a cookie. */
  sessionId?: string;
  /** The user acting: the user itself, or the user a token belongs to (null: a token of no known user). */
  userId: number | null;
}

/** How the principal shows up in the audit log. */
export function actorName(p: Principal | null): string {
  if (!p) return "anonymous";
  return p.kind === "token" ? `token:${p.name}` : p.name;
}

/**
 * A username as the database compares it: lower-cased, as migration 0013's username_key is
 * (usernames are ASCII, where SQL lower() and toLowerCase() agree).
 */
export function usernameKey(name: string): string {
  return name.toLowerCase();
}
