/**
 * The OpenAPI 3.1 document, rendered from the endpoints' declarations (api.ts) with zod 4's
 * JSON Schema output: paths, parameters, request bodies and response schemas all come from the
 * one declaration each endpoint has.
 */
import { z } from "zod";
import { ENDPOINTS } from "./api";
import { ErrorEnvelope } from "./common";
import type { Endpoint } from "./endpoint";

const schema = (s: z.ZodType, io: "input" | "output") => z.toJSONSchema(s, { io, unrepresentable: "any", target: "draft-2020-12" });

type JsonSchemaObject = { properties?: Record<string, unknown>; required?: string[] };

/** The parameters of an endpoint: its path params (typed by its params schema) and its query. */
function parameters(e: Endpoint): unknown[] {
  const path = e.params ? (schema(e.params, "input") as JsonSchemaObject) : {};
  const out: unknown[] = [...e.path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: path.properties?.[m[1]] ?? { type: "string" },
  }));
  if (e.query) {
    const js = schema(e.query, "input") as JsonSchemaObject;
    for (const [name, s] of Object.entries(js.properties ?? {}))
      out.push({ name, in: "query", required: js.required?.includes(name) ?? false, schema: s });
  }
  return out;
}

function requestBody(e: Endpoint): Record<string, unknown> {
  if (e.body) return { requestBody: { required: true, content: { "application/json": { schema: schema(e.body, "input") } } } };
  if (e.consumes)
    return {
      requestBody: {
        required: true,
        content: {
          [e.consumes]: { schema: { type: "string" } },
          "multipart/form-data": { schema: { type: "object", properties: { file: { type: "string", format: "binary" } } } },
        },
      },
    };
  return {};
}

/** The OpenAPI 3.1 document of the given endpoints (default: all of them). */
export function openApiDocument(endpoints: readonly Endpoint[] = ENDPOINTS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    (paths[e.path] ??= {})[e.method.toLowerCase()] = {
      summary: e.summary,
      tags: [e.tag],
      "x-role": e.role,
      ...(e.audit ? { "x-audit": e.audit } : {}),
      security: e.role === "public" ? [] : [{ session: [] }, { bearer: [] }],
      parameters: parameters(e),
      ...requestBody(e),
      responses: {
        "200": e.response
          ? { description: "OK", content: { "application/json": { schema: schema(e.response, "output") } } }
          : { description: "OK", content: { [e.produces]: { schema: { type: "string" } } } },
        default: { description: "Error", content: { "application/json": { schema: schema(ErrorEnvelope, "output") } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "qtask API", version: "1", description: "Task queue for quant research. JSON, snake_case, ids as strings, ISO-8601 UTC times." },
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "qtask_session" },
        bearer: { type: "http", scheme: "bearer", description: "API token (qtk_…), created by an admin" },
      },
    },
    paths,
  };
}
