/** The schedule form's model (src/client/schedules/formModel.ts): timing from values, and what a save sends. */
import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import type { ScheduleJson } from "@/contracts/schedules";
import { createBody, errorField, initialValues, patchBody, timingOf, type Values } from "@/client/schedules/formModel";

const values = (over: Partial<Values> = {}): Values => ({
  name: " nightly ",
  task_type: "noop",
  payload: '{"a":1}',
  kind: "cron",
  cron: "0 21 * * *",
  timezone: "Asia/Shanghai",
  trading_days_only: true,
  priority: 500,
  misfire_policy: "run_once",
  overlap_policy: "skip",
  enabled: true,
  ...over,
});

describe("schedule form model", () => {
  it("describes a timing only once it is filled in enough to ask about", () => {
    expect(timingOf(values())).toEqual({ kind: "cron", cron: "0 21 * * *", timezone: "Asia/Shanghai", trading_days_only: true });
    expect(timingOf(values({ cron: "  " }))).toBeNull();
    expect(timingOf(values({ kind: "interval", interval_seconds: 0 }))).toBeNull();
    expect(timingOf(values({ kind: "after_close", after_close_minutes: 30, timezone: "UTC" }))).toEqual({
      kind: "after_close",
      after_close_minutes: 30,
      timezone: "Asia/Shanghai",
      trading_days_only: false,
    });
    const at = dayjs("2026-12-24T01:00:00Z");
    expect(timingOf(values({ kind: "once", run_at: at }))).toEqual({
      kind: "once",
      run_at: at.toISOString(),
      timezone: "Asia/Shanghai",
      trading_days_only: false,
    });
  });

  it("puts a timing error under the field it is about", () => {
    expect(errorField("unknown time zone Mars/Base", "cron")).toBe("timezone");
    expect(errorField("invalid cron expression", "cron")).toBe("cron");
    expect(errorField("x", "after_close")).toBe("after_close_minutes");
  });

  it("creates with the trimmed name, the parsed payload and only the optional fields set", () => {
    const v = values({ timeout_s: 1.5, description: "  " });
    expect(createBody(v, timingOf(v)!)).toEqual({
      name: "nightly",
      task_type: "noop",
      payload: { a: 1 },
      priority: 500,
      misfire_policy: "run_once",
      overlap_policy: "skip",
      enabled: true,
      kind: "cron",
      cron: "0 21 * * *",
      timezone: "Asia/Shanghai",
      trading_days_only: true,
      timeout_ms: 1500,
    });
  });

  it("changes only what differs from the schedule, so an untouched timing keeps its armed slot", () => {
    const schedule = {
      id: "1",
      name: "nightly",
      description: null,
      task_type: "noop",
      payload: { a: 1 },
      kind: "cron",
      cron: "0 21 * * *",
      timezone: "Asia/Shanghai",
      interval_seconds: null,
      run_at: null,
      trading_days_only: true,
      after_close_minutes: null,
      priority: 500,
      timeout_ms: null,
      max_attempts: null,
      enabled: true,
      misfire_policy: "run_once",
      overlap_policy: "skip",
    } as unknown as ScheduleJson;
    const same = values();
    expect(initialValues(schedule)).toMatchObject({ name: "nightly", payload: '{\n  "a": 1\n}', kind: "cron" });
    expect(patchBody(same, timingOf(same)!, schedule)).toEqual({});
    const changed = values({ priority: 700, cron: "0 22 * * *" });
    expect(patchBody(changed, timingOf(changed)!, schedule)).toEqual({ priority: 700, cron: "0 22 * * *" });
    // The overlap policy is sent for recurring kinds only (it does not apply to once and supervised).
    expect(patchBody(values({ overlap_policy: "cancel_previous" }), timingOf(values())!, schedule)).toEqual({ overlap_policy: "cancel_previous" });
    const once = values({ kind: "once", run_at: dayjs("2026-12-24T01:00:00Z") });
    expect(createBody(once, timingOf(once)!)).not.toHaveProperty("overlap_policy");
  });
});
