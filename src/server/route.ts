/**
 * The one wrapper every route handler goes through, built from the endpoint's declaration
 * (src/contracts/endpoint.ts). It is where access is enforced: it authenticates the request
 * (API token or session cookie), refuses it when the role is below what the endpoint declares
 * (401/403), refuses cross-site writes, reads and validates the body, query and path params
 * with zod, records the audit entry of a successful state-changing call, and maps every error
 * onto the envelope. The function it wraps — one verb of a src/server module — sees only the
 * parsed input and the principal, and its answer is type-checked against the endpoint's
 * response schema; in development and tests (or with QTASK_VALIDATE_RESPONSES=1) every answer
 * is also checked against it at run time, so a documented response cannot drift from the real one.
 *
 *   export const POST = route(createTask, tasks.create);
 */
import type { z } from "zod";
import type { Access, Endpoint, FileEndpoint, JsonEndpoint } from "@/contracts/endpoint";
import { roleAtLeast } from "@/contracts/roles";
import { getDatabase } from "@/db/client";
import { DEFAULT_BODY_LIMIT, readJson } from "./body";
import { HttpError, toErrorResponse } from "./errors";
import { recordAudit } from "./auth/audit";
import type { Principal } from "./auth/principal";
import { addressAllowed } from "./auth/addressList";
import { authenticate, clientIp } from "./auth/session";

type Params = Record<string, string | string[] | undefined>;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a verb receives: the parsed input of its endpoint, the caller and the request. */
export interface Input<E extends Endpoint> {
  req: Request;
  body: Parsed<E["body"]>;
  query: Parsed<E["query"]>;
  params: Parsed<E["params"]>;
  /** Who is calling (null only on public endpoints without credentials). */
  principal: E["role"] extends "public" ? Principal | null : Principal;
  /** The caller's address. */
  ip: string;
}

/** A JSON answer: status (default 200), body, headers, and what the audit entry adds (target, details). */
export interface JsonResult<J> {
  status?: number;
  json: J;
  headers?: HeadersInit;
  audit?: { target?: string | null; details?: unknown };
}

/** What a verb answers: JSON of the endpoint's response schema, or a Response for a file endpoint. */
export type Output<E extends Endpoint> = E extends FileEndpoint ? Response : E extends JsonEndpoint ? JsonResult<z.input<E["response"]>> : never;

/** One verb of a src/server module: the function a route runs for its endpoint. */
export type Verb<E extends Endpoint> = (input: Input<E>) => Promise<Output<E>>;

/** The route handler Next.js calls, with its endpoint attached (the route tests read it). */
export type RouteHandler = ((req: Request, ctx: { params: Promise<Params> }) => Promise<Response>) & {
  endpoint: Endpoint;
  access: Access;
  auditAction?: string;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Answers are checked against their schemas where a mismatch should fail loudly (tests,
 * development), not in production, where it would turn a harmless extra field into a 500.
 */
const VALIDATE_RESPONSES = process.env.NODE_ENV !== "production" || process.env.QTASK_VALIDATE_RESPONSES === "1";

/**
 * Refuses a state-changing request sent by a browser from another site. Browsers send
 * Origin (and Sec-Fetch-Site) on such requests; scripts send neither and are not affected.
 */
function refuseCrossSite(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get("origin");
  if (req.headers.get("sec-fetch-site") === "cross-site") throw new HttpError("forbidden", "cross-site request refused");
  if (!origin) return;
  const url = new URL(req.url);
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? url.host;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    throw new HttpError("forbidden", "cross-site request refused");
  }
  if (from.host !== host) throw new HttpError("forbidden", `cross-site request from ${from.origin} refused`);
}

/** Builds the route handler of an endpoint from the verb that serves it. */
export function route<E extends Endpoint>(spec: E, verb: Verb<NoInfer<E>>): RouteHandler {
  const handler = async (req: Request, ctx: { params: Promise<Params> }): Promise<Response> => {
    try {
      refuseCrossSite(req);
      const ip = clientIp(req);
      let principal: Principal | null = null;
      // A scraper at an address the endpoint's allow list names needs no credentials.
      const allowedAddress = spec.allowAddressesFrom !== undefined && !hasCredentials(req) && addressAllowed(spec.allowAddressesFrom, ip);
      if (spec.role !== "public" && !allowedAddress) {
        const { db } = await getDatabase();
        const auth = await authenticate(db, req);
        if (!auth) throw new HttpError("unauthorized", "sign in required (session cookie or Authorization: Bearer <token>)");
        if (!roleAtLeast(auth.principal.role, spec.role)) {
          throw new HttpError("forbidden", `this needs the ${spec.role} role; you are ${auth.principal.role}`);
        }
        principal = auth.principal;
      } else if (hasCredentials(req)) {
        // A public endpoint may say more to a signed-in caller (GET /api/health: the workers).
        const { db } = await getDatabase();
        principal = (await authenticate(db, req).catch(() => null))?.principal ?? null;
      }
      const params = spec.params ? parseOr(spec.params, (await ctx?.params) ?? {}, "not_found", "no such resource") : undefined;
      const query = spec.query ? parseOr(spec.query, Object.fromEntries(new URL(req.url).searchParams), "invalid_input", "invalid query") : undefined;
      const body = spec.body
        ? parseOr(spec.body, await readJson(req, spec.bodyLimit ?? DEFAULT_BODY_LIMIT), "invalid_input", "invalid request body")
        : undefined;
      const input = { req, body, query, params, principal, ip } as Input<E>;
      const result = (await verb(input)) as Response | JsonResult<unknown>;
      let response: Response;
      if (result instanceof Response) response = result;
      else {
        if (VALIDATE_RESPONSES && spec.response) checkResponse(spec, result.json);
        response = Response.json(result.json, { status: result.status ?? 200, headers: result.headers });
      }
      if (spec.audit && response.ok) {
        const extra = result instanceof Response ? undefined : result.audit;
        const { db } = await getDatabase();
        await recordAudit(db, {
          principal,
          action: spec.audit,
          target: extra?.target,
          details: extra?.details,
          ip,
          userAgent: req.headers.get("user-agent"),
        });
      }
      return response;
    } catch (err) {
      const { status, body, headers } = toErrorResponse(err);
      return Response.json(body, { status, headers });
    }
  };
  return Object.assign(handler, { endpoint: spec as Endpoint, access: spec.role, auditAction: spec.audit });
}

/** Whether a request carries a session cookie or an Authorization header at all. */
function hasCredentials(req: Request): boolean {
  return req.headers.has("authorization") || (req.headers.get("cookie") ?? "").includes("qtask_session=");
}

function parseOr<T extends z.ZodType>(schema: T, value: unknown, code: "invalid_input" | "not_found", message: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (code === "not_found") throw new HttpError("not_found", message);
  throw new HttpError(code, message, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  });
}

/** Throws (a 500 that names the mismatch) when an answer does not match its endpoint's response schema. */
export function checkResponse(spec: JsonEndpoint, json: unknown): void {
  const parsed = spec.response.safeParse(json);
  const where = `${spec.method} ${spec.path}`;
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new Error(`the answer of ${where} does not match its response schema: ${issues}`);
  }
  const extra = undocumented(json, parsed.data, "");
  if (extra.length > 0) throw new Error(`the answer of ${where} has fields its response schema does not document: ${extra.join(", ")}`);
}

/** Keys present in `actual` but not in what its schema parsed it into (zod drops unknown keys). */
function undocumented(actual: unknown, parsed: unknown, at: string): string[] {
  if (Array.isArray(actual)) return Array.isArray(parsed) ? actual.flatMap((a, i) => undocumented(a, parsed[i], `${at}[${i}]`)) : [];
  if (!isObject(actual) || !isObject(parsed)) return [];
  return Object.keys(actual).flatMap((k) => {
    const path = at ? `${at}.${k}` : k;
    if (actual[k] === undefined) return []; // JSON drops it
    return k in parsed ? undocumented(actual[k], parsed[k], path) : [path];
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !(v instanceof Date);
}
