/**
 * When schedules fire: the next fire times of a cron expression (croner, with a time zone),
 * a fixed interval, a single moment, or a time after the market's close, optionally only on
 * trading days (the calendar: src/domain/calendar.ts); the misfire decision after downtime;
 * the restart delay of supervised schedules; and the task a schedule enqueues. Pure functions
 * of their inputs and a given "now", shared by the worker's scheduler loop and the API.
 */
import { Cron } from "croner";
import { isTradingDay, MARKET_CLOSE, MAX_AFTER_CLOSE_MINUTES } from "@/domain/calendar";
import type { EnqueueInput } from "@/queue/input";

/** What the scheduler needs to know about a schedule's timing. */
export interface Timing {
  /**
   * after_close: `afterCloseMinutes` after the 15:00 Asia/Shanghai close, on trading days only.
   * supervised: no slots; the scheduler keeps one task of it alive instead.
   */
  kind: "cron" | "interval" | "once" | "after_close" | "supervised";
  cron?: string | null;
  timezone: string;
  intervalSeconds?: number | null;
  /** once: the moment; interval: the anchor the slots are counted from. */
  runAt?: Date | null;
  tradingDaysOnly?: boolean;
  afterCloseMinutes?: number | null;
}

/** The cron expression an after_close timing fires on (every day; trading days are filtered after). */
function afterCloseCron(minutes: number): string {
  const total = MARKET_CLOSE.hour * 60 + MARKET_CLOSE.minute + minutes;
  return `${total % 60} ${Math.floor(total / 60)} * * *`;
}

/** The timing columns of a stored schedule, as the database and the scheduler read them. */
export interface TimingColumns {
  kind: string;
  cron: string | null;
  timezone: string;
  intervalSeconds: number | null;
  runAt: Date | null;
  tradingDaysOnly: boolean;
  afterCloseMinutes: number | null;
  createdAt: Date;
}

/** The timing of a stored schedule (interval slots count from run_at, or from creation). */
export function timingOf(s: TimingColumns): Timing {
  return {
    kind: s.kind as Timing["kind"],
    cron: s.cron,
    timezone: s.timezone,
    intervalSeconds: s.intervalSeconds,
    runAt: s.kind === "interval" ? (s.runAt ?? s.createdAt) : s.runAt,
    tradingDaysOnly: s.tradingDaysOnly,
    afterCloseMinutes: s.afterCloseMinutes,
  };
}

/** The columns of a stored schedule that say which task it enqueues. */
export interface ScheduledTask {
  id: number;
  taskType: string;
  /** JSON text. */
  payload: string;
  priority: number;
  timeoutMs: number | null;
  maxAttempts: number | null;
}

/**
 * The task a schedule enqueues — when a slot fires, when it is triggered by hand, and for each
 * day of a backfill (`payloadOverrides` then sets the as-of day).
 */
export function taskOfSchedule(s: ScheduledTask, payloadOverrides?: Record<string, unknown>): EnqueueInput {
  const payload = JSON.parse(s.payload) as Record<string, unknown>;
  return {
    type: s.taskType,
    payload: payloadOverrides ? { ...payload, ...payloadOverrides } : payload,
    priority: s.priority,
    timeoutMs: s.timeoutMs ?? undefined,
    maxAttempts: s.maxAttempts ?? undefined,
    scheduleId: String(s.id),
  };
}

/** Slots later than this after their time count as missed (downtime), not as on time. */
export const MISFIRE_GRACE_MS = 60_000;

/** Throws with a readable message when the timing cannot work (bad cron, bad zone, missing fields). */
export function validateTiming(t: Timing): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone: t.timezone });
  } catch {
    throw new Error(`unknown time zone ${t.timezone}`);
  }
  if (t.kind === "cron") {
    if (!t.cron) throw new Error("cron schedules need a cron expression");
    try {
      new Cron(t.cron, { timezone: t.timezone, paused: true });
    } catch (err) {
      throw new Error(`invalid cron expression: ${(err as Error).message}`);
    }
  } else if (t.kind === "interval") {
    if (!t.intervalSeconds || t.intervalSeconds < 1) throw new Error("interval schedules need interval_seconds ≥ 1");
  } else if (t.kind === "once" && !t.runAt) throw new Error("one-time schedules need run_at");
  else if (t.kind === "after_close") {
    const m = t.afterCloseMinutes;
    if (m === null || m === undefined || !Number.isInteger(m) || m < 0 || m > MAX_AFTER_CLOSE_MINUTES)
      throw new Error(`after_close schedules need after_close_minutes between 0 and ${MAX_AFTER_CLOSE_MINUTES}`);
  }
}

/** The first slot strictly after `after` (null: never again). */
export function nextSlot(t: Timing, after: Date): Date | null {
  let candidate: Date | null;
  let from = after;
  // Trading-day filtering skips whole days; a bounded number of tries covers long holidays.
  for (let i = 0; i < 1_000; i++) {
    candidate = rawNext(t, from);
    const tradingOnly = t.kind === "after_close" || (t.tradingDaysOnly && t.kind !== "once");
    const tz = t.kind === "after_close" ? MARKET_CLOSE.timezone : t.timezone;
    if (!candidate || !tradingOnly || isTradingDay(candidate, tz)) return candidate;
    from = candidate;
  }
  return null;
}

function rawNext(t: Timing, after: Date): Date | null {
  if (t.kind === "supervised") return null;
  if (t.kind === "once") return t.runAt && t.runAt > after ? t.runAt : null;
  if (t.kind === "interval") {
    const step = (t.intervalSeconds as number) * 1000;
    const anchor = (t.runAt ?? new Date(0)).getTime();
    const k = Math.floor((after.getTime() - anchor) / step) + 1;
    return new Date(anchor + Math.max(0, k) * step);
  }
  if (t.kind === "after_close")
    return new Cron(afterCloseCron(t.afterCloseMinutes ?? 0), { timezone: MARKET_CLOSE.timezone, paused: true }).nextRun(after) ?? null;
  return new Cron(t.cron as string, { timezone: t.timezone, paused: true }).nextRun(after) ?? null;
}

/** The next `count` slots after `after`. */
export function nextSlots(t: Timing, after: Date, count: number): Date[] {
  const out: Date[] = [];
  let from = after;
  while (out.length < count) {
    const n = nextSlot(t, from);
    if (!n) break;
    out.push(n);
    from = n;
  }
  return out;
}

/** What to do about a schedule whose next slot is due. */
export interface FirePlan {
  /** The slot to fire now, or null (missed slots skipped). */
  fire: Date | null;
  /** How many due slots are not fired (downtime). */
  skipped: number;
  /** The next slot after now. */
  next: Date | null;
}

/**
 * Decides a due schedule at `now`: a slot that is on time (within MISFIRE_GRACE_MS) fires;
 * after downtime the missed slots are never replayed one by one — `skip` fires none of them,
 * `run_once` fires the latest once. Either way the next slot is the first one after now.
 */
export function planFire(t: Timing, due: Date, now: Date, policy: "skip" | "run_once"): FirePlan {
  let latest = due;
  let count = 1;
  for (let n = nextSlot(t, due); n && n <= now && count < 100_000; n = nextSlot(t, n)) {
    latest = n;
    count++;
  }
  const next = nextSlot(t, now);
  const onTime = count === 1 && now.getTime() - latest.getTime() <= MISFIRE_GRACE_MS;
  if (onTime) return { fire: latest, skipped: 0, next };
  return policy === "run_once" ? { fire: latest, skipped: count - 1, next } : { fire: null, skipped: count, next };
}

/** Restart delay of a supervised task after `failures` failed runs in a row: 1 s doubling to 60 s. */
export function restartDelayMs(failures: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, Math.min(failures, 10)));
}
