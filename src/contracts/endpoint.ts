/**
 * An endpoint of the API, declared once, next to its schemas: method, path, who may call it,
 * what it audits, what it takes and what it answers. The route handler is built from it
 * (src/server/route.ts: parsing, access, audit, and — in development and tests — a check of
 * every answer against `response`), the OpenAPI document is rendered from it (openapi.ts),
 * and the client's hooks take their types from it.
 *
 *   export const getTask = endpoint({
 *     method: "GET", path: "/api/tasks/{id}", role: "viewer", tag: "tasks", summary: "A task with its runs",
 *     params: z.object({ id: IdParam }), response: z.object({ task: TaskJson, runs: z.array(RunJson) }),
 *   });
 */
import { z } from "zod";
import type { Role } from "./roles";

/** Who may call an endpoint: anyone (`public`), or a signed-in principal of at least this role. */
export type Access = "public" | Role;

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

interface Common {
  method: Method;
  /** The path, with `{name}` for each path parameter (OpenAPI's spelling). */
  path: `/api/${string}`;
  role: Access;
  /** Audit action recorded when a state-changing call succeeds, e.g. "task.cancel". */
  audit?: string;
  /** One line for the API reference. */
  summary: string;
  /** The reference's section. */
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  /** A JSON body. */
  body?: z.ZodType;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** A body that is a document, not JSON (its content type), e.g. a YAML upload. */
  consumes?: string;
  /**
   * The environment variable listing client addresses (or CIDRs) that may call it without
   * credentials, as scrapers that cannot sign in (e.g. `QTASK_METRICS_ALLOW`). Everyone else
   * needs `role`.
   */
  allowAddressesFrom?: string;
}

/** An endpoint answering JSON of `response`'s shape. */
export interface JsonEndpoint extends Common {
  response: z.ZodType;
  produces?: never;
}

/** An endpoint answering something else (a download, a page): its content type. */
export interface FileEndpoint extends Common {
  produces: string;
  response?: never;
}

export type Endpoint = JsonEndpoint | FileEndpoint;

const declared = new WeakSet<object>();

/** Declares an endpoint (the identity, typed; and remembered, so the API's list can be collected). */
export function endpoint<const E extends Endpoint>(e: E): E {
  declared.add(e);
  return e;
}

/** True for a value made by endpoint(). */
export function isEndpoint(v: unknown): v is Endpoint {
  return typeof v === "object" && v !== null && declared.has(v);
}

/** The endpoints a contracts module declares, in declaration order. */
export function endpointsOf(module: Record<string, unknown>): Endpoint[] {
  return Object.values(module).filter(isEndpoint);
}

/** The JSON an endpoint answers with. */
export type ResponseOf<E extends Endpoint> = E extends JsonEndpoint ? z.output<E["response"]> : never;

/** `{items, next_cursor}`: a cursor-paginated list of `item`. */
export const CursorPage = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
/** `{items, page, page_size, total}`: a page-numbered list of `item`. */
export const NumberedPage = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), page: z.number(), page_size: z.number(), total: z.number() });

/** A cursor-paginated list as the client reads it. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** `{"ok": true}`: an answer with nothing more to say. */
export const Ok = z.object({ ok: z.literal(true) });
