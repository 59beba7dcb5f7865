/**
 * The one wrapper every route handler goes through. It is where access is enforced: it
 * authenticates the request (API token or session cookie), refuses it when the role is below
 * what the route declares (401/403), refuses cross-site writes, reads and validates the
 * body, query and path params with zod, records the audit entry of a successful
 * state-changing route, and maps every error onto the envelope. A handler only sees parsed
 * input and the principal.
 *
 *   export const POST = route({ role: "operator", audit: "task.create", body: CreateTaskBody }, async ({ body }) => …);
 */
import { z } from "zod";
import { roleAtLeast, type Role } from "@/contracts/auth";
import { getDatabase } from "@/db/client";
import { HttpError, toErrorResponse } from "./errors";
import { recordAudit } from "./auth/audit";
import type { Principal } from "./auth/principal";
import { authenticate, clientIp } from "./auth/session";

/** Who may call a route: anyone (`public`), or a signed-in principal of at least this role. */
export type Access = "public" | Role;

/** Default request body limit; routes may lower or raise it. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Deepest JSON nesting accepted in a body. */
export const MAX_JSON_DEPTH = 32;

type Params = Record<string, string | string[] | undefined>;

interface RouteSpec<A extends Access, B extends z.ZodType | undefined, Q extends z.ZodType | undefined, P extends z.ZodType | undefined> {
  role: A;
  /** Audit action recorded when a state-changing call succeeds (e.g. "task.cancel"). */
  audit?: string;
  body?: B;
  query?: Q;
  params?: P;
  /** Largest accepted body in bytes (default 1 MiB). */
  bodyLimit?: number;
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteInput<A extends Access, B, Q, P> {
  req: Request;
  body: B;
  query: Q;
  params: P;
  /** Who is calling (null only on public routes without credentials). */
  principal: A extends "public" ? Principal | null : Principal;
  /** The caller's address. */
  ip: string;
}

/** A handler's answer: a Response, or `{status, json}`; `audit` adds target and details to the audit entry. */
export type RouteResult = Response | { status?: number; json: unknown; headers?: HeadersInit; audit?: { target?: string | null; details?: unknown } };

/** The route handler Next.js calls, with its declared access attached (the route guard test reads it). */
export type RouteHandler = ((req: Request, ctx: { params: Promise<Params> }) => Promise<Response>) & { access: Access; auditAction?: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

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

/** Builds a route handler from a spec and a function of the parsed input. */
export function route<
  A extends Access,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<A, B, Q, P>, fn: (input: RouteInput<A, Out<B>, Out<Q>, Out<P>>) => Promise<RouteResult>): RouteHandler {
  const handler = async (req: Request, ctx: { params: Promise<Params> }): Promise<Response> => {
    try {
      refuseCrossSite(req);
      const ip = clientIp(req);
      let principal: Principal | null = null;
      if (spec.role !== "public") {
        const { db } = await getDatabase();
        const auth = await authenticate(db, req);
        if (!auth) throw new HttpError("unauthorized", "sign in required (session cookie or Authorization: Bearer <token>)");
        if (!roleAtLeast(auth.principal.role, spec.role)) {
          throw new HttpError("forbidden", `this needs the ${spec.role} role; you are ${auth.principal.role}`);
        }
        principal = auth.principal;
      }
      const params = spec.params ? parseOr(spec.params, (await ctx?.params) ?? {}, "not_found", "no such resource") : undefined;
      const query = spec.query ? parseOr(spec.query, Object.fromEntries(new URL(req.url).searchParams), "invalid_input", "invalid query") : undefined;
      const body = spec.body
        ? parseOr(spec.body, await readJson(req, spec.bodyLimit ?? DEFAULT_BODY_LIMIT), "invalid_input", "invalid request body")
        : undefined;
      const result = await fn({
        req,
        body: body as Out<B>,
        query: query as Out<Q>,
        params: params as Out<P>,
        principal: principal as RouteInput<A, unknown, unknown, unknown>["principal"],
        ip,
      });
      const response = result instanceof Response ? result : Response.json(result.json, { status: result.status ?? 200, headers: result.headers });
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
      const { status, body } = toErrorResponse(err);
      return Response.json(body, { status });
    }
  };
  return Object.assign(handler, { access: spec.role, auditAction: spec.audit });
}

function parseOr<T extends z.ZodType>(schema: T, value: unknown, code: "invalid_input" | "not_found", message: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (code === "not_found") throw new HttpError("not_found", message);
  throw new HttpError(code, message, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
  });
}

/** Reads a JSON body: 415 unless JSON, 413 past the limit (without reading it all), 400 if broken or too deep. */
export async function readJson(req: Request, limit: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type) && type !== "") {
    throw new HttpError("unsupported_media_type", "the body must be JSON (Content-Type: application/json)");
  }
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const text = await readCapped(req, limit);
  if (text.trim() === "") throw new HttpError("invalid_input", "the request body is empty; send a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new HttpError("invalid_input", `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (depthOf(value, MAX_JSON_DEPTH + 1) > MAX_JSON_DEPTH) throw new HttpError("invalid_input", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  // JSON may spell a lone UTF-16 surrogate ("\ud800"), which is not Unicode text: Prisma's
  // engine rejects it deep inside a query (a 500) and the drivers silently store U+FFFD, so it
  // is refused here. Only bodies with a surrogate escape at all are walked.
  if (/\\u[dD][89a-fA-F]/.test(text) && hasLoneSurrogate(value)) {
    throw new HttpError("invalid_input", "the request body contains a lone UTF-16 surrogate (\\uD800–\\uDFFF); strings must be valid Unicode");
  }
  return value;
}

/** True when a string (or key) anywhere in a parsed JSON value holds an unpaired surrogate. */
function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return /\p{Cs}/u.test(value);
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) => /\p{Cs}/u.test(k) || hasLoneSurrogate(v));
}

/**
 * Reads a text document body (for example YAML): the raw body with a text or YAML content
 * type, or the first file field of a multipart upload. 413 past the limit, 415 otherwise.
 */
export async function readTextDocument(req: Request, limit: number): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit + 64 * 1024) throw tooLarge(limit);
  if (type.startsWith("multipart/form-data")) {
    // Read capped, then let the platform parse the multipart framing.
    const raw = await readCapped(req, limit + 64 * 1024);
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData();
    } catch {
      throw new HttpError("invalid_input", "the multipart body could not be read");
    }
    const file = [...form.values()].find((v): v is File => typeof v === "object" && v !== null && "text" in v);
    if (!file) throw new HttpError("invalid_input", "the multipart body has no file");
    if (file.size > limit) throw tooLarge(limit);
    return file.text();
  }
  if (type !== "" && !/^(text\/[a-z.+-]+|application\/(x-)?yaml)\b/.test(type)) {
    throw new HttpError("unsupported_media_type", "send the document as application/yaml (or text/plain), or as a multipart file upload");
  }
  return readCapped(req, limit);
}

function tooLarge(limit: number) {
  return new HttpError("payload_too_large", `the request body is larger than ${limit} bytes`);
}

async function readCapped(req: Request, limit: number): Promise<string> {
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Nesting depth of a JSON value, stopping early once past `stop`. */
function depthOf(value: unknown, stop: number): number {
  if (value === null || typeof value !== "object") return 0;
  if (stop <= 1) return 1; // deep enough to reject: no need to walk further
  let max = 0;
  for (const v of Object.values(value)) {
    max = Math.max(max, depthOf(v, stop - 1));
    if (max + 1 >= stop) break;
  }
  return max + 1;
}
