/**
 * Reading request bodies within limits: JSON (415 unless JSON, 413 past the limit without
 * reading it all, 400 if broken, too deep or not Unicode) and text documents such as YAML
 * (the raw body or the first file of a multipart upload).
 */
import { HttpError } from "./errors";

/** Default request body limit; endpoints may lower or raise it. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Deepest JSON nesting accepted in a body. */
export const MAX_JSON_DEPTH = 32;

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
