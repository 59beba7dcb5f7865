/**
 * Queues as the API shows them — counts by status, pause, limits, oldest due task, workers —
 * and their controls: pause, resume, limits. The counts are the overview's cached aggregates
 * (no scan per request); the controls are the engine's (queue/sql/queueControls.ts).
 */
import type { listQueues, pauseQueue, QueueJson, QueueLimitsBody, resumeQueue, setQueueLimits } from "@/contracts/queues";
import type { Database } from "@/db/client";
import { parseQueues } from "@/queue/config";
import { liveWorkers, type LiveWorker } from "@/queue/sql/lease";
import { readControls, setLimits, setPaused, type QueueLimits } from "@/queue/sql/queueControls";
import type { Conn } from "@/queue/sql/executor";
import { getQueue, registry } from "./context";
import { HttpError } from "./errors";
import { aggregates, allCounts } from "./overview";
import type { Input, Output } from "./route";

/** Workers seen within this long count as serving their queues (as /api/health). */
export const LIVE_WORKER_MS = 60_000;

/** The limits body as engine columns. */
export function limitsOf(b: QueueLimitsBody): QueueLimits {
  return {
    maxRunning: b.max_running,
    rateLimit: b.rate?.limit ?? null,
    ratePeriodMs: b.rate ? (b.rate.per === "second" ? 1_000 : 60_000) : null,
    keyField: b.per_key?.field ?? null,
    maxRunningPerKey: b.per_key?.max_running ?? null,
  };
}

/** The engine's limit columns as the API's limits. */
export function limitsJson(c: QueueLimits | undefined): QueueJson["limits"] {
  return {
    max_running: c?.maxRunning ?? null,
    rate: c?.rateLimit ? { limit: c.rateLimit, per: c.ratePeriodMs === 60_000 ? "minute" : "second" } : null,
    per_key: c?.keyField && c.maxRunningPerKey ? { field: c.keyField, max_running: c.maxRunningPerKey } : null,
  };
}

/** A worker's queue list ("crawl:2,compute", as it registered it from QTASK_QUEUES) as name → its own limit. */
function servedBy(spec: string): Map<string, number | null> {
  try {
    return new Map(parseQueues(spec).map((q) => [q.name, q.limit]));
  } catch {
    return new Map(); // not a list a worker of this version writes
  }
}

/** Every queue the cluster knows of, with its figures (`live`: the live workers, when the caller has read them). */
export async function queuesJson(database: Database, conn: Conn, live?: LiveWorker[]): Promise<QueueJson[]> {
  const [agg, controls, workers] = await Promise.all([aggregates(database, conn), readControls(conn), live ?? liveWorkers(conn, LIVE_WORKER_MS)]);
  const byName = new Map(controls.map((c) => [c.name, c]));
  const served = workers.map((w) => ({ w, queues: servedBy(w.queues) }));
  const names = new Set<string>([
    ...registry.list().map((t) => t.queue),
    ...Object.keys(agg.byQueue),
    ...controls.map((c) => c.name),
    ...served.flatMap((s) => [...s.queues.keys()]),
  ]);
  const oldest = new Map(agg.queues.map((q) => [q.name, q.oldestDueAt]));
  const now = Date.now();
  return [...names].sort().map((name) => {
    const c = byName.get(name);
    const due = oldest.get(name) ?? null;
    return {
      name,
      counts: allCounts(agg.byQueue[name] ?? {}),
      paused: c?.paused ?? false,
      paused_by: c?.paused ? c.pausedBy : null,
      paused_at: c?.paused ? (c.pausedAt?.toISOString() ?? null) : null,
      limits: limitsJson(c),
      oldest_queued_age_s: due ? Math.max(0, Math.round((now - due.getTime()) / 100) / 10) : null,
      workers: served.filter((s) => s.queues.has(name)).map((s) => ({ id: s.w.id, host: s.w.host, limit: s.queues.get(name) ?? null })),
      from_catalogue: c?.catalogueHash != null,
    };
  });
}

/** Every queue (see QueueJson). */
export async function list(_: Input<typeof listQueues>): Promise<Output<typeof listQueues>> {
  const { database, conn } = await getQueue();
  return { json: { items: await queuesJson(database, conn) } };
}

/** One queue's JSON, or 404 when the cluster knows no queue of that name. */
async function queueOr404(database: Database, conn: Conn, name: string): Promise<QueueJson> {
  const q = (await queuesJson(database, conn)).find((x) => x.name === name);
  if (!q) throw new HttpError("not_found", `no queue named ${name} (not served by a worker, named by a task type, nor holding tasks)`);
  return q;
}

/** Pauses a queue cluster-wide (running tasks finish). */
export async function pause({ params, principal }: Input<typeof pauseQueue>): Promise<Output<typeof pauseQueue>> {
  const { database, conn } = await getQueue();
  await queueOr404(database, conn, params.name);
  const changed = await setPaused(conn, params.name, true, principal?.name ?? "?");
  return { json: { queue: await queueOr404(database, conn, params.name) }, audit: { target: params.name, details: { changed } } };
}

/** Resumes a paused queue. */
export async function resume({ params }: Input<typeof resumeQueue>): Promise<Output<typeof resumeQueue>> {
  const { database, conn } = await getQueue();
  await queueOr404(database, conn, params.name);
  const changed = await setPaused(conn, params.name, false, "");
  return { json: { queue: await queueOr404(database, conn, params.name) }, audit: { target: params.name, details: { changed } } };
}

/** Sets a queue's limits (a change by hand detaches it from the catalogue's entry). */
export async function updateLimits({ params, body }: Input<typeof setQueueLimits>): Promise<Output<typeof setQueueLimits>> {
  const { database, conn } = await getQueue();
  const before = await queueOr404(database, conn, params.name);
  await setLimits(conn, params.name, limitsOf(body));
  const after = await queueOr404(database, conn, params.name);
  return { json: { queue: after }, audit: { target: params.name, details: { before: before.limits, after: after.limits } } };
}
