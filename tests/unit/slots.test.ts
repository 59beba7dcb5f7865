/** The worker's slot accounting (src/worker/slots.ts): limits, pace, claiming ahead, when claiming pauses. */
import { describe, expect, it } from "vitest";
import { Slots } from "@/worker/slots";

const config = (over: Partial<{ concurrency: number; prefetchMs: number }> = {}) => ({
  concurrency: 10,
  prefetchMs: 10,
  queues: [
    { name: "default", limit: null },
    { name: "groups", limit: 2 },
  ],
  ...over,
});
const none = () => 0;
const noneWaiting = new Map<string, number>();

describe("worker slots", () => {
  it("counts handlers against the worker's total and each queue's own limit", () => {
    const s = new Slots(config(), 200);
    expect([s.freeIn("default"), s.freeIn("groups"), s.freeIn("unknown")]).toEqual([10, 2, 0]);
    s.started("groups");
    s.started("groups");
    expect([s.freeIn("default"), s.freeIn("groups")]).toEqual([8, 0]);
    for (let i = 0; i < 8; i++) s.started("default");
    expect(s.full).toBe(true);
    expect(s.freeIn("default")).toBe(0);
    expect(s.queuesWithCapacity()).toEqual([]);
    s.finished("groups", 5);
    expect([s.full, s.freeIn("default"), s.freeIn("groups"), s.closing]).toEqual([false, 1, 1, 1]);
    s.closed();
    expect(s.closing).toBe(0);
  });

  it("claims only for free slots until a handler of the queue has finished (no pace yet)", () => {
    const s = new Slots(config(), 200);
    const plan = s.plan(noneWaiting, 0, none);
    expect(plan).toEqual({ slots: { default: 10, groups: 2 }, limit: 10, pause: false });
  });

  it("claims ahead as many as the slots get through in prefetchMs at the queue's pace, capped by the claim batch", () => {
    const s = new Slots(config(), 200);
    s.started("default");
    s.finished("default", 2); // 2 ms a task: 10 slots × 10 ms / 2 ms = 50 ahead
    s.closed();
    expect(s.prefetchFor({ name: "default", limit: null }, none)).toBe(50);
    expect(s.plan(noneWaiting, 0, none).slots.default).toBe(60);
    // Microsecond handlers: the pace floor and then the claim batch cap it.
    s.finished("default", 0);
    for (let i = 0; i < 50; i++) s.finished("default", 0);
    expect(s.prefetchFor({ name: "default", limit: null }, none)).toBe(200);
  });

  it("stops claiming ahead while a handler of the queue runs longer than the pace", () => {
    const s = new Slots(config(), 200);
    s.started("default");
    s.finished("default", 2);
    expect(s.prefetchFor({ name: "default", limit: null }, () => 100)).toBe(1); // 10 × 10 / 100
    expect(s.prefetchFor({ name: "default", limit: null }, () => 1000)).toBe(0);
    expect(new Slots(config({ prefetchMs: 0 }), 200).prefetchFor({ name: "default", limit: null }, none)).toBe(0);
  });

  it("takes off what already waits here, and pauses when every slot is taken and enough waits", () => {
    const s = new Slots(config(), 200);
    s.started("default");
    s.finished("default", 2); // ahead: 50
    s.closed();
    for (let i = 0; i < 10; i++) s.started("default");
    // Every slot taken: with 20 of the 50 waiting it tops up; with more than half waiting it pauses.
    expect(s.plan(new Map([["default", 20]]), 20, none)).toMatchObject({ limit: 30, pause: false });
    expect(s.plan(new Map([["default", 30]]), 30, none)).toMatchObject({ pause: true });
  });

  it("pauses claiming while closes have fallen behind", () => {
    const s = new Slots(config({ concurrency: 2 }), 3);
    expect(s.closingCap).toBe(4);
    for (let i = 0; i < 4; i++) {
      s.started("default");
      s.finished("default", 1);
    }
    expect(s.closesBehind).toBe(true);
    expect(s.plan(noneWaiting, 0, none).pause).toBe(true);
    expect(s.queuesWithCapacity()).toEqual([]);
    s.closed();
    expect(s.plan(noneWaiting, 0, none).pause).toBe(false);
  });
});
