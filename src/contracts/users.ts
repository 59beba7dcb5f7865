/** Users and their roles: bodies, answers and endpoints (admin). */
import { z } from "zod";
import { IdParams, ListQuery } from "./common";
import { CursorPage, endpoint, Ok } from "./endpoint";
import { Role } from "./roles";

/** A username: ASCII letters, digits and _ . @ - (so the database's lower() and JavaScript's agree). */
export const Username = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, "letters, digits and _ . @ - only");
/** New passwords: long enough to resist guessing, short enough to hash quickly. */
const NewPassword = z.string().min(10, "at least 10 characters").max(200);

/** A user as the API shows it (never the password hash). */
export const UserJson = z.object({
  id: z.string(),
  username: z.string(),
  role: Role,
  disabled: z.boolean(),
  created_at: z.string(),
  last_login_at: z.string().nullable(),
});
export type UserJson = z.infer<typeof UserJson>;

/** `POST /api/users`. */
export const CreateUserBody = z.object({ username: Username, password: NewPassword, role: Role.default("viewer") }).strict();
/** `PATCH /api/users/{id}`: any of role, a new password, disabled. */
export const PatchUserBody = z
  .object({ role: Role.optional(), password: NewPassword.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

const One = z.object({ user: UserJson });

export const listUsers = endpoint({
  method: "GET",
  path: "/api/users",
  role: "admin",
  tag: "users",
  summary: "Users, by id",
  query: ListQuery,
  response: CursorPage(UserJson),
});

export const createUser = endpoint({
  method: "POST",
  path: "/api/users",
  role: "admin",
  audit: "user.create",
  tag: "users",
  summary: "Create a user",
  body: CreateUserBody,
  bodyLimit: 4096,
  response: One,
});

export const updateUser = endpoint({
  method: "PATCH",
  path: "/api/users/{id}",
  role: "admin",
  audit: "user.update",
  tag: "users",
  summary: "Change a user's role, password or disabled flag; a new password or disabling ends their sessions",
  params: IdParams,
  body: PatchUserBody,
  bodyLimit: 4096,
  response: One,
});

export const deleteUser = endpoint({
  method: "DELETE",
  path: "/api/users/{id}",
  role: "admin",
  audit: "user.delete",
  tag: "users",
  summary: "Delete a user (not yourself, not the last admin)",
  params: IdParams,
  response: Ok,
});
