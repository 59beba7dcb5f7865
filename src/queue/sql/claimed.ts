/**
 * A claimed task as a worker receives it, from a claim (claim.ts) or a hand-off (handoff.ts):
 * the columns both return and how a row becomes a task.
 */
import { sql } from "@/db/dialect";

/** A task handed to a worker, with the run that now holds its lease. */
export interface ClaimedTask {
  id: number;
  runId: number;
  type: string;
  queue: string;
  payload: string;
  priority: number;
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
  batchId: string | null;
  parentId: number | null;
  scheduleId: string | null;
}

/** A claimed task's row as the database returns it (claimedOf maps it). */
export interface ClaimRow {
  id: number;
  run_id?: number;
  type: string;
  queue: string;
  payload: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  timeout_ms: number;
  batch_id: string | null;
  parent_id: number | null;
  schedule_id: string | null;
}

/** The task columns a claim returns (with the run id, as run_id). */
export const RETURNED = sql`tasks.id, type, queue, payload, priority, attempts, max_attempts, timeout_ms, batch_id, parent_id, schedule_id`;

/** A claimed task from its row. */
export function claimedOf(r: ClaimRow): ClaimedTask {
  return {
    id: Number(r.id),
    runId: Number(r.run_id),
    type: r.type,
    queue: r.queue,
    payload: r.payload,
    priority: Number(r.priority),
    attempt: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    timeoutMs: Number(r.timeout_ms),
    batchId: r.batch_id ?? null,
    parentId: r.parent_id === null || r.parent_id === undefined ? null : Number(r.parent_id),
    scheduleId: r.schedule_id ?? null,
  };
}
