/** Fetch helpers for the browser: JSON in, JSON out, the error envelope turned into an Error. */
import type { ErrorEnvelope } from "@/contracts/common";

/** An API error with the envelope's code and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Fetches `path` from the API and returns its JSON, throwing ApiError on a non-2xx answer. */
export async function apiFetch<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}), ...init?.headers },
  });
  if (res.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/auth/login")) {
    // The session ended: back to the sign-in page, and then back here.
    const here = window.location.pathname + window.location.search + window.location.hash;
    window.location.assign(`/login?next=${encodeURIComponent(here)}`);
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const env = json as Partial<ErrorEnvelope> | null;
    throw new ApiError(res.status, env?.error?.code ?? "http_error", env?.error?.message ?? `HTTP ${res.status}`, env?.error?.details);
  }
  return json as T;
}
