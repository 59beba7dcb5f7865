/** The API's error type and the mapping of engine errors onto the error envelope. */
import { ERROR_STATUS, type ErrorCode, type ErrorEnvelope } from "@/contracts/common";
import { InvalidTaskError } from "@/queue/enqueue";
import { IllegalTransitionError } from "@/queue/states";
import { TaskNotFoundError } from "@/queue/sql/control";
import { PasswordWorkBusy } from "./auth/secrets";

/** An error meant for the client: its code picks the HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Headers the answer carries (e.g. Retry-After on a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The envelope and status for any thrown value; unknown errors become a 500 without internals. */
export function toErrorResponse(err: unknown): { status: number; body: ErrorEnvelope; headers?: Record<string, string> } {
  const e = asHttpError(err);
  if (e)
    return {
      status: e.status,
      body: { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } },
      headers: e.headers,
    };
  console.error("[api] unexpected error:", err);
  return { status: 500, body: { error: { code: "internal", message: "internal server error" } } };
}

function asHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (err instanceof InvalidTaskError) return new HttpError("invalid_input", err.message, err.details);
  if (err instanceof IllegalTransitionError) return new HttpError("conflict", err.message, { status: err.from });
  if (err instanceof TaskNotFoundError) return new HttpError("not_found", err.message);
  if (err instanceof PasswordWorkBusy) return new HttpError("too_many_requests", err.message, undefined, { "retry-after": "1" });
  // Percent-encoding that does not decode (a path or cookie sent by hand) is the caller's mistake.
  if (err instanceof URIError) return new HttpError("invalid_input", `malformed percent-encoding: ${err.message}`);
  return null;
}
