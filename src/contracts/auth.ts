/** Signing in and out, who is signed in, and API tokens: bodies, answers and endpoints. */
import { z } from "zod";
import { IdParams, ListQuery } from "./common";
import { CursorPage, endpoint, Ok } from "./endpoint";
import { Role } from "./roles";

/** `POST /api/auth/login`. */
export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();

/** Who is signed in (`GET /api/auth/me`, and the layout). */
export const MeJson = z.object({
  kind: z.enum(["user", "token"]),
  id: z.string(),
  username: z.string(),
  role: Role,
});
export type MeJson = z.infer<typeof MeJson>;

/** An API token as listed (never the token or its hash). */
export const TokenJson = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: Role,
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type TokenJson = z.infer<typeof TokenJson>;

/** How long a new token works when the request does not say. */
export const DEFAULT_TOKEN_DAYS = 90;

/** `POST /api/auth/tokens`: the answer carries the token itself, once. */
export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: Role.default("operator"),
    /** Days until it stops working; null: never (an explicit choice). */
    expires_in_days: z.number().int().min(1).max(3650).nullable().default(DEFAULT_TOKEN_DAYS),
  })
  .strict();

export const login = endpoint({
  method: "POST",
  path: "/api/auth/login",
  role: "public",
  tag: "auth",
  summary: "Sign in with username and password; sets the session cookie. Failures are rate-limited per user and address (429)",
  body: LoginBody,
  bodyLimit: 4096,
  response: z.object({ user: MeJson }),
});

export const logout = endpoint({
  method: "POST",
  path: "/api/auth/logout",
  role: "viewer",
  audit: "auth.logout",
  tag: "auth",
  summary: "End the session and clear its cookie",
  response: Ok,
});

export const me = endpoint({
  method: "GET",
  path: "/api/auth/me",
  role: "viewer",
  tag: "auth",
  summary: "Who is signed in",
  response: z.object({ user: MeJson }),
});

export const listTokens = endpoint({
  method: "GET",
  path: "/api/auth/tokens",
  role: "admin",
  tag: "auth",
  summary: "API tokens, newest first",
  query: ListQuery,
  response: CursorPage(TokenJson),
});

export const createToken = endpoint({
  method: "POST",
  path: "/api/auth/tokens",
  role: "admin",
  audit: "token.create",
  tag: "auth",
  summary: "Create an API token; the answer carries the secret, which is never shown again",
  body: CreateTokenBody,
  bodyLimit: 4096,
  response: z.object({ token: TokenJson, secret: z.string() }),
});

export const revokeToken = endpoint({
  method: "DELETE",
  path: "/api/auth/tokens/{id}",
  role: "admin",
  audit: "token.revoke",
  tag: "auth",
  summary: "Revoke an API token: it stops working at once",
  params: IdParams,
  response: z.object({ token: TokenJson }),
});
