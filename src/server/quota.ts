/**
 * Quotas for everyone below admin, so that one operator (or a script with an operator token)
 * cannot take the queue from everybody else: at most QTASK_ENQUEUE_PER_MINUTE tasks made per
 * principal per minute (default 10,000: one largest batch a minute), no explicit timeout over
 * QTASK_MAX_TIMEOUT_MS (default 6 hours; a type's own default is the code's and always
 * allowed), and no schedule firing more often than every QTASK_MIN_SCHEDULE_SECONDS (default
 * 10 s). Admins are exempt: they set the limits, and may schedule maintenance every second.
 * A parameter sweep may make at most QTASK_SWEEP_MAX_TASKS tasks (default 10,000), for everyone:
 * it is a size that keeps a sweep's page readable, not a share of the queue.
 * Refusals are 429 (with Retry-After) for the rate and 400 for the others, and write nothing.
 */
import { roleAtLeast } from "@/contracts/roles";
import { DEFAULT_SWEEP_MAX_TASKS } from "@/contracts/sweeps";
import { getDatabase } from "@/db/client";
import { nextSlots, type Timing } from "@/schedule/timing";
import { leastRoleFor } from "@/queue/registry";
import { actorName, type Principal } from "./auth/principal";
import { registry } from "./context";
import { countDown, countUp, windowOf } from "./counters";
import { HttpError } from "./errors";

/** The limits, from the environment (0 turns one off). */
export function quotaLimits(env: Readonly<Record<string, string | undefined>> = process.env) {
  const num = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    const v = Number(raw);
    return raw && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  return {
    enqueuePerMinute: num("QTASK_ENQUEUE_PER_MINUTE", 10_000),
    maxTimeoutMs: num("QTASK_MAX_TIMEOUT_MS", 6 * 3600_000),
    minScheduleSeconds: num("QTASK_MIN_SCHEDULE_SECONDS", 10),
    /** The largest parameter sweep, in tasks (funds × combinations); it applies to admins too. */
    sweepMaxTasks: num("QTASK_SWEEP_MAX_TASKS", DEFAULT_SWEEP_MAX_TASKS) || DEFAULT_SWEEP_MAX_TASKS,
  };
}

const isAdmin = (p: Principal) => roleAtLeast(p.role, "admin");

/** Tasks counted against a principal's minute, some of which can be given back. */
export interface QuotaReservation {
  /** Gives back `k` of the tasks counted (they were not made after all). */
  giveBack(k: number): Promise<void>;
}

/** Counts `n` tasks against the principal's minute; 429 (nothing counted) once the minute's quota is spent. */
export async function reserveEnqueueQuota(principal: Principal, n: number): Promise<QuotaReservation> {
  const { enqueuePerMinute: limit } = quotaLimits();
  if (isAdmin(principal) || limit === 0 || n === 0) return { giveBack: async () => undefined };
  if (n > limit) throw new HttpError("invalid_input", `one request may make at most ${limit} tasks (QTASK_ENQUEUE_PER_MINUTE); split it`);
  const { db } = await getDatabase();
  const window = windowOf(60_000);
  const key = `enqueue:${principal.kind}:${principal.id}@${window.index}`;
  const total = await countUp(db, key, n, window.end);
  if (total > limit) {
    await countDown(db, key, n);
    throw new HttpError(
      "too_many_requests",
      `${actorName(principal)} may make at most ${limit} tasks a minute (QTASK_ENQUEUE_PER_MINUTE); ${Math.max(0, limit - (total - n))} left in this minute`,
      { limit, retry_after_seconds: window.secondsLeft },
      { "retry-after": String(window.secondsLeft) },
    );
  }
  return { giveBack: (k) => (k > 0 ? countDown(db, key, k).catch(() => undefined) : Promise.resolve()) };
}

/** Counts `n` tasks (reserveEnqueueQuota), then runs `make`; if it fails, none was made and all `n` are given back. */
export async function withEnqueueQuota<T>(principal: Principal, n: number, make: () => Promise<T>): Promise<T> {
  const reservation = await reserveEnqueueQuota(principal, n);
  try {
    return await make();
  } catch (err) {
    await reservation.giveBack(n);
    throw err;
  }
}

/**
 * 400 when a non-admin asks for a timeout over the limit, for the task or (a group) any task it
 * holds. `where` names the field in the message (e.g. "tasks[3].timeout_ms").
 */
export function assertTimeoutAllowed(principal: Principal, timeoutMs: number | null | undefined, where = "timeout_ms"): void {
  const { maxTimeoutMs } = quotaLimits();
  if (isAdmin(principal) || maxTimeoutMs === 0 || timeoutMs == null || timeoutMs <= maxTimeoutMs) return;
  const message = `${where} may be at most ${maxTimeoutMs} ms (QTASK_MAX_TIMEOUT_MS) unless an admin sets it`;
  throw new HttpError("invalid_input", message, { issues: [{ path: where, message }] });
}

/** assertTimeoutAllowed for a task and, when its type holds others (a group), for each of theirs. */
export function assertTaskTimeoutsAllowed(
  principal: Principal,
  type: string,
  payload: unknown,
  timeoutMs?: number | null,
  where = "timeout_ms",
): void {
  assertTimeoutAllowed(principal, timeoutMs, where);
  if (leastRoleFor(registry, type, payload) === "admin") return; // refused by role anyway
  (registry.get(type)?.inner?.(payload) ?? []).forEach((t, i) => assertTimeoutAllowed(principal, t.timeoutMs, `payload.tasks[${i}].timeout_ms`));
}

/** The shortest gap between two fire times of a timing in seconds, or null when it does not repeat on its own. */
export function shortestGapSeconds(t: Timing, now = new Date()): number | null {
  if (t.kind === "interval") return t.intervalSeconds ?? null;
  if (t.kind !== "cron") return null; // once, after_close (daily) and supervised (one task at a time)
  // 60 fire times cover every gap a cron can make within a minute (six-field crons fire by the second).
  const slots = nextSlots(t, now, 60);
  let gap: number | null = null;
  for (let i = 1; i < slots.length; i++) {
    const s = (slots[i].getTime() - slots[i - 1].getTime()) / 1000;
    gap = gap === null ? s : Math.min(gap, s);
  }
  return gap;
}

/** 400 when a non-admin's schedule would fire more often than every QTASK_MIN_SCHEDULE_SECONDS. */
export function assertScheduleGapAllowed(principal: Principal, t: Timing): void {
  const { minScheduleSeconds } = quotaLimits();
  if (isAdmin(principal) || minScheduleSeconds === 0) return;
  const gap = shortestGapSeconds(t);
  if (gap === null || gap >= minScheduleSeconds) return;
  const path = t.kind === "cron" ? "cron" : "interval_seconds";
  const message = `fires every ${gap} s; schedules may fire at most every ${minScheduleSeconds} s (QTASK_MIN_SCHEDULE_SECONDS) unless an admin makes them`;
  throw new HttpError("invalid_input", message, { issues: [{ path, message }] });
}
