/** The audit log of state-changing actions (admin). */
import { z } from "zod";
import { CursorPage, endpoint } from "./endpoint";

/** One audit entry: who did what to which object, when and from where. */
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

export const listAudit = endpoint({
  method: "GET",
  path: "/api/audit",
  role: "admin",
  tag: "users",
  summary: "The audit log, newest first; filters actor and action (exact)",
  query: AuditQuery,
  response: CursorPage(AuditJson),
});
