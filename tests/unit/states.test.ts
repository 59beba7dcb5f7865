import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  TASK_STATUSES,
  TRANSITIONS,
  backoffMs,
  isFinished,
  nextStatus,
  transition,
  IllegalTransitionError,
  type TaskEvent,
  type TaskStatus,
  targetOf,
  whenLegal,
} from "@/queue/states";
import { raw } from "@/db/dialect";

const events = Object.keys(TRANSITIONS) as TaskEvent[];
const status = fc.constantFrom(...TASK_STATUSES);
const event = fc.constantFrom(...events);

describe("task state machine", () => {
  it("allows exactly the transitions in the table and rejects the rest", () => {
    fc.assert(
      fc.property(status, event, (from, ev) => {
        const to = TRANSITIONS[ev][from];
        if (to) expect(transition(from, ev)).toBe(to);
        else expect(() => transition(from, ev)).toThrow(IllegalTransitionError);
      }),
    );
  });

  it("never leaves a finished state except by an explicit retry", () => {
    fc.assert(
      fc.property(fc.constantFrom<TaskStatus>("succeeded", "failed", "cancelled"), event, (from, ev) => {
        const to = nextStatus(from, ev);
        if (ev === "retry" && from !== "succeeded") expect(to).toBe("queued");
        else expect(to).toBeNull();
      }),
    );
  });

  it("keeps every random walk inside the statuses, and only claim starts a run", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 50 }), (walk) => {
        let s: TaskStatus = "queued";
        for (const ev of walk) {
          const to = nextStatus(s, ev);
          if (to === null) continue;
          if (to === "running") expect(ev).toBe("claim");
          expect(TASK_STATUSES).toContain(to);
          s = to;
        }
      }),
    );
  });

  it("says which statuses are final", () => {
    expect(TASK_STATUSES.filter(isFinished)).toEqual(["succeeded", "failed", "cancelled"]);
  });
});

describe("retry backoff", () => {
  const opts = fc.record({ baseMs: fc.integer({ min: 0, max: 60_000 }), maxMs: fc.integer({ min: 0, max: 3_600_000 }) });

  it("stays within [exp/2, exp] where exp = min(max, base·2^(n-1))", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), opts, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (n, o, r) => {
        const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(n - 1, 30));
        const d = backoffMs(n, o, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(exp / 2));
        expect(d).toBeLessThanOrEqual(Math.ceil(exp));
        expect(d).toBeLessThanOrEqual(o.maxMs);
      }),
    );
  });

  it("grows with the attempt number until the cap (worst jitter against best)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), (n) => {
        const o = { baseMs: 1000, maxMs: 1e12 }; // below the cap for every n here
        expect(backoffMs(n + 1, o, () => 0)).toBeGreaterThanOrEqual(backoffMs(n, o, () => 0.999999));
      }),
    );
  });

  it("spreads retries that fail together (jitter)", () => {
    const o = { baseMs: 1000, maxMs: 600_000 };
    const delays = new Set(Array.from({ length: 50 }, () => backoffMs(5, o)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe("the table in SQL", () => {
  it("renders an event's guard from its legal from-statuses (one status with '=', so partial indexes match)", () => {
    expect(whenLegal("claim").sql).toBe("status = 'queued'");
    expect(whenLegal("retry").sql).toBe("status IN ('failed', 'cancelled')");
    expect(whenLegal("claim", { column: raw("COALESCE(tasks.status, '')") }).sql).toBe("COALESCE(tasks.status, '') = 'queued'");
    // A statement deciding among several events in SQL is guarded by the statuses all of them leave from.
    expect(whenLegal(["retry_later", "cancel", "fail"]).sql).toBe("status = 'running'");
    expect(whenLegal("cancel", { only: "queued" }).sql).toBe("status = 'queued'");
    expect(() => whenLegal("claim", { only: "running" })).toThrow(/not legal/);
    expect(whenLegal("retry").values).toEqual([]);
  });

  it("renders an event's one target, for every event of the table", () => {
    for (const e of events) expect(targetOf(e).sql).toBe(`'${Object.values(TRANSITIONS[e])[0]}'`);
  });
});
