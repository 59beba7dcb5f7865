/** The API reference's verb: the OpenAPI document as JSON, or a readable page for browsers. */
import { ENDPOINTS } from "@/contracts/api";
import { openApiDocument } from "@/contracts/openapi";
import type { getDocs } from "@/contracts/system";
import type { Input, Output } from "./route";

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** JSON with ?format=json (or without Accept: text/html); otherwise a page listing every endpoint with its schemas. */
export async function reference({ req }: Input<typeof getDocs>): Promise<Output<typeof getDocs>> {
  const doc = openApiDocument();
  const wantsJson = new URL(req.url).searchParams.get("format") === "json" || !(req.headers.get("accept") ?? "").includes("text/html");
  if (wantsJson) return Response.json(doc);
  const paths = doc.paths as Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown; responses?: unknown }>>;
  const rows = ENDPOINTS.map((e) => {
    const op = paths[e.path][e.method.toLowerCase()];
    const detail = JSON.stringify({ parameters: op.parameters, requestBody: op.requestBody, responses: op.responses }, null, 2);
    return `<tr><td class="m ${e.method}">${e.method}</td><td><code>${escapeHtml(e.path)}</code></td><td>${escapeHtml(e.role)}</td><td>${escapeHtml(e.summary)}<details><summary>schema</summary><pre>${escapeHtml(detail)}</pre></details></td></tr>`;
  }).join("\n");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>qtask API</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:6px 8px;text-align:left;vertical-align:top}
.m{font-weight:600;font-family:monospace}.GET{color:#1677ff}.POST{color:#389e0d}.PATCH{color:#d48806}.DELETE{color:#cf1322}pre{background:#f6f8fa;padding:8px;max-height:400px;overflow:auto;font-size:12px}
</style></head><body><h1>qtask API</h1><p>OpenAPI 3.1 document: <a href="/api/docs?format=json">/api/docs?format=json</a>. JSON, snake_case keys, ids as strings, ISO-8601 UTC times. Errors: <code>{"error":{"code","message","details"}}</code>. Authenticate with the session cookie (sign in at /login) or <code>Authorization: Bearer &lt;token&gt;</code>.</p>
<table><tr><th>method</th><th>path</th><th>role</th><th>what</th></tr>${rows}</table></body></html>`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    },
  });
}
