/** The system endpoints: liveness and the API reference. */
import { z } from "zod";
import { endpoint } from "./endpoint";

/** `GET /api/health`. */
export const HealthResponse = z.object({
  status: z.enum(["ok", "error"]),
  database: z.enum(["ok", "error"]),
  workers: z.array(z.object({ id: z.string(), last_seen_at: z.string(), running: z.number() })),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const getHealth = endpoint({
  method: "GET",
  path: "/api/health",
  role: "public",
  tag: "system",
  summary: "Liveness of the web server, the database and the workers (503 when the database is down)",
  response: HealthResponse,
});

export const getDocs = endpoint({
  method: "GET",
  path: "/api/docs",
  role: "public",
  tag: "system",
  summary: "This document (JSON with ?format=json or Accept: application/json; otherwise a readable page)",
  produces: "text/html",
});
