/** Sign-in, users, API tokens and the audit log: request bodies and response shapes. */
import { z } from "zod";

export const ROLES = ["viewer", "operator", "admin"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** True when `role` is at least `min` (viewer < operator < admin). */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

const Username = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.@-]+$/, "letters, digits and _ . @ - only");
/** New passwords: long enough to resist guessing, short enough to hash quickly. */
const NewPassword = z.string().min(10, "at least 10 characters").max(200);

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

/** `POST /api/auth/tokens`: the answer carries the token itself, once. */
export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: Role.default("operator"),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

export const AuditJson = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.unknown(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
});
export type AuditJson = z.infer<typeof AuditJson>;

/** `GET /api/audit` filters. */
export const AuditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/)
      .optional(),
    actor: z.string().max(100).optional(),
    action: z.string().max(100).optional(),
  })
  .strict();
