/** What a caller asks of the engine when it enqueues a task: the type, and everything else optional. */

/** What a caller asks for; everything but the type is optional. */
export interface EnqueueInput {
  type: string;
  payload?: unknown;
  queue?: string;
  priority?: number;
  runAt?: Date;
  delayMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  idempotencyKey?: string | null;
  batchId?: string | null;
  parentId?: number | null;
  scheduleId?: string | null;
  /** Who asked for it (a username or an API token's name), kept for history and filters. */
  createdBy?: string | null;
}
