/** Schemas shared by every endpoint: the error envelope, ids, pagination. */
import { z } from "zod";

/** Error codes the API returns, with their HTTP status. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** `{"error": {"code", "message", "details"?}}` — every non-2xx answer. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** A numeric id in a path: ids are strings in JSON, integers in the database. */
export const IdParam = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, "must be a positive integer id")
  .transform(Number);

/** `?limit=&cursor=` of cursor-paginated lists; the cursor is the last id of the previous page. */
export const ListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, "must be a next_cursor value from a previous page")
      .optional(),
  })
  .strict();

/** A `next_cursor` handed back (or an id in a query): a positive integer id. */
export const Cursor = z.string().regex(/^[1-9][0-9]{0,14}$/, "must be a next_cursor value from a previous page");
/** `?limit=` of a cursor-paginated list. */
export const Limit = z.coerce.number().int().min(1).max(200).default(50);
/** An ISO-8601 time with its offset. */
export const IsoTime = z.iso.datetime({ offset: true });
/** The path params of an endpoint on one numbered thing, `/…/{id}`. */
export const IdParams = z.object({ id: IdParam });

/** "a,b,c" → ["a","b","c"], each checked. */
export const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1).max(20));
