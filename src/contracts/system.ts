/** The system endpoints: liveness and the API reference. */
import { z } from "zod";
import { endpoint } from "./endpoint";

/** A worker process seen in the last minute: its id (host-pid-random), last heartbeat, tasks held. */
export const WorkerJson = z.object({ id: z.string(), last_seen_at: z.string(), running: z.number() });

/** `GET /api/health`. */
export const HealthResponse = z.object({
  status: z.enum(["ok", "error"]),
  database: z.enum(["ok", "error"]),
  /** Signed-in callers only: worker ids name hosts and pids. */
  workers: z.array(WorkerJson).optional(),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const getHealth = endpoint({
  method: "GET",
  path: "/api/health",
  role: "public",
  tag: "system",
  summary: "Liveness of the web server and the database (503 when it is down); the workers too for a signed-in caller",
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

export const getMetrics = endpoint({
  method: "GET",
  path: "/api/metrics",
  role: "viewer",
  allowAddressesFrom: "QTASK_METRICS_ALLOW",
  tag: "system",
  summary:
    "Prometheus metrics (text exposition format) for a token with the viewer role (Authorization: Bearer) or a client address listed in QTASK_METRICS_ALLOW; 401 otherwise",
  produces: "text/plain; version=0.0.4; charset=utf-8",
});
