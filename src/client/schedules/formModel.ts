/**
 * The schedule form's model, without React: its values, the values of a schedule being
 * edited, the timing the values describe (what the preview asks about), which field a timing
 * error belongs under, and the create or change body a save sends.
 */
import dayjs, { type Dayjs } from "dayjs";
import type { ScheduleJson } from "@/contracts/schedules";
import type { CreateScheduleInput, PatchScheduleInput, ScheduleTiming } from "../hooks/useSchedules";

/** A schedule's kind. */
export type Kind = ScheduleJson["kind"];

/** The form's values (the payload as JSON text, the timeout in seconds). */
export interface Values {
  name: string;
  description?: string;
  task_type: string;
  payload: string;
  kind: Kind;
  cron?: string;
  timezone: string;
  interval_seconds?: number | null;
  run_at?: Dayjs | null;
  after_close_minutes?: number | null;
  trading_days_only: boolean;
  priority: number;
  timeout_s?: number | null;
  max_attempts?: number | null;
  misfire_policy: "skip" | "run_once";
  overlap_policy: "skip" | "allow" | "cancel_previous";
  enabled: boolean;
}

/** The zone a new schedule starts in (and the only one of after_close and supervised schedules). */
export const DEFAULT_ZONE = "Asia/Shanghai";
/** The useWatch selector of every value (a stable function: useWatch subscribes once). */
export const allValues = (v: Values) => v;

/** The timing the form describes, or null while it is not filled in enough to ask about. */
export function timingOf(v: Partial<Values>): ScheduleTiming | null {
  const kind = v.kind ?? "cron";
  // Supervised schedules have no timing fields (they are not rendered, so not in the values).
  if (kind === "supervised") return { kind, timezone: DEFAULT_ZONE, trading_days_only: false };
  // After the close is always Shanghai's 15:00 on trading days: no zone, no trading-days switch.
  if (kind === "after_close") {
    const m = v.after_close_minutes;
    if (typeof m !== "number" || !Number.isInteger(m) || m < 0) return null;
    return { kind, after_close_minutes: m, timezone: DEFAULT_ZONE, trading_days_only: false };
  }
  const timezone = (v.timezone ?? "").trim();
  const runAt = v.run_at && dayjs.isDayjs(v.run_at) && v.run_at.isValid() ? v.run_at.toISOString() : undefined;
  if (!timezone) return null;
  if (kind === "cron") {
    const cron = (v.cron ?? "").trim();
    return cron ? { kind, cron, timezone, trading_days_only: !!v.trading_days_only } : null;
  }
  if (kind === "interval") {
    const n = v.interval_seconds;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) return null;
    return { kind, interval_seconds: n, timezone, trading_days_only: !!v.trading_days_only, ...(runAt ? { run_at: runAt } : {}) };
  }
  return runAt ? { kind, run_at: runAt, timezone, trading_days_only: false } : null;
}

/** The form's starting values: the schedule being edited, or the defaults of a new one. */
export function initialValues(s: ScheduleJson | undefined): Partial<Values> {
  if (!s)
    return {
      payload: "{}",
      kind: "cron",
      timezone: DEFAULT_ZONE,
      trading_days_only: false,
      priority: 500,
      misfire_policy: "run_once",
      // What the server gives a new cron or interval schedule (defaultOverlap).
      overlap_policy: "skip",
      enabled: true,
    };
  return {
    name: s.name,
    description: s.description ?? undefined,
    task_type: s.task_type,
    payload: JSON.stringify(s.payload ?? {}, null, 2),
    kind: s.kind,
    cron: s.cron ?? undefined,
    timezone: s.timezone,
    interval_seconds: s.interval_seconds ?? undefined,
    run_at: s.run_at ? dayjs(s.run_at) : undefined,
    after_close_minutes: s.after_close_minutes ?? undefined,
    trading_days_only: s.trading_days_only,
    priority: s.priority,
    timeout_s: s.timeout_ms ? s.timeout_ms / 1000 : undefined,
    max_attempts: s.max_attempts ?? undefined,
    misfire_policy: s.misfire_policy,
    overlap_policy: s.overlap_policy,
    enabled: s.enabled,
  };
}

/** Which field a timing error belongs under. */
export function errorField(message: string, kind: Kind): "timezone" | "cron" | "interval_seconds" | "run_at" | "after_close_minutes" {
  if (kind === "after_close") return "after_close_minutes";
  if (/time ?zone/i.test(message)) return "timezone";
  return kind === "cron" ? "cron" : kind === "interval" ? "interval_seconds" : "run_at";
}

/** The create body of a new schedule with these values and timing. */
export function createBody(v: Values, tm: ScheduleTiming): CreateScheduleInput {
  const description = v.description?.trim() ?? "";
  return {
    ...common(v),
    ...tm,
    ...(description ? { description } : {}),
    ...(v.timeout_s ? { timeout_ms: Math.round(v.timeout_s * 1000) } : {}),
    ...(v.max_attempts ? { max_attempts: v.max_attempts } : {}),
  };
}

/**
 * The PATCH body that turns `schedule` into these values and timing: only what changed, so an
 * untouched timing keeps its armed next run (a changed timing field re-arms it on the server).
 */
export function patchBody(v: Values, tm: ScheduleTiming, schedule: ScheduleJson): PatchScheduleInput {
  const description = v.description?.trim() ?? "";
  const next: Record<string, unknown> = {
    ...common(v),
    kind: tm.kind,
    timezone: tm.timezone,
    trading_days_only: !!tm.trading_days_only,
    cron: tm.cron ?? null,
    interval_seconds: tm.interval_seconds ?? null,
    run_at: tm.run_at ?? null,
    after_close_minutes: tm.after_close_minutes ?? null,
    description: description || null,
    timeout_ms: v.timeout_s ? Math.round(v.timeout_s * 1000) : null,
    max_attempts: v.max_attempts ?? null,
  };
  const old = schedule as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(next).filter(([k, x]) => JSON.stringify(x) !== JSON.stringify(old[k] ?? null))) as PatchScheduleInput;
}

/** The fields a create and a change both send as they are. */
function common(v: Values) {
  return {
    name: v.name.trim(),
    task_type: v.task_type,
    payload: JSON.parse(v.payload || "{}") as Record<string, unknown>,
    priority: v.priority,
    misfire_policy: v.misfire_policy,
    ...(v.kind === "once" || v.kind === "supervised" ? {} : { overlap_policy: v.overlap_policy }),
    enabled: v.enabled,
  };
}
