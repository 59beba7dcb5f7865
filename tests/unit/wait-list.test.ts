/** The worker's list of claimed tasks waiting for a slot (src/worker/waitList.ts), against a plain array doing the same. */
import { describe, expect, it } from "vitest";
import { WaitList, type Waiting, type WaitingTask } from "@/worker/waitList";

const item = (runId: number, queue: string): Waiting => ({ task: { runId, queue }, claimedAt: runId });
const ids = (ws: Waiting[]) => ws.map((w) => w.task.runId);
const countsOf = (ws: Waiting[]) => {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w.task.queue, (m.get(w.task.queue) ?? 0) + 1);
  return m;
};

/** A seeded generator (mulberry32), so a failure repeats. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("wait list", () => {
  it("starts the oldest tasks whose queues have room, keeping the others in their places", () => {
    const l = new WaitList<WaitingTask>();
    [item(1, "a"), item(2, "b"), item(3, "a"), item(4, "b"), item(5, "a")].forEach((w) => l.push(w));
    const started: number[] = [];
    let room = 3;
    // Queue b is full: 2 and 4 stay; a has room for two, then the worker is full.
    let aFree = 2;
    l.startFromHead(
      () => room === 0,
      (w) => w.task.queue === "a" && aFree > 0,
      (w) => {
        started.push(w.task.runId);
        aFree--;
        room--;
      },
    );
    expect(started).toEqual([1, 3]);
    expect(l.runIds()).toEqual([2, 4, 5]);
    expect(l.size).toBe(3);
    expect([...l.byQueue]).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect([l.has(4), l.has(3)]).toEqual([true, false]);
    expect(ids(l.removeWhere((w) => w.task.runId === 4))).toEqual([4]);
    expect(ids(l.removeAll())).toEqual([2, 5]);
    expect([l.size, l.byQueue.size]).toEqual([0, 0]);
  });

  it("matches a plain array over thousands of random pushes, starts and removals (rarely enough that the spent head is compacted)", () => {
    const next = rng(26);
    const l = new WaitList<WaitingTask>();
    let model: Waiting[] = [];
    const queues = ["a", "b", "c"];
    let runId = 0;
    for (let step = 0; step < 20_000; step++) {
      const r = next();
      if (r < 0.45) {
        const n = 1 + Math.floor(next() * 25);
        for (let k = 0; k < n; k++) {
          const w = item(++runId, queues[Math.floor(next() * queues.length)]);
          l.push(w);
          model.push(w);
        }
      } else if (r < 0.995) {
        // Room for up to 24 in all, and a random room per queue (0 leaves that queue's tasks waiting).
        const free: Record<string, number> = Object.fromEntries(queues.map((q) => [q, Math.floor(next() * 12)]));
        let room = Math.floor(next() * 25);
        const want: number[] = [];
        const kept: Waiting[] = [];
        {
          const f = { ...free };
          let rm = room;
          let i = 0;
          for (; i < model.length && rm > 0; i++) {
            const w = model[i];
            if (f[w.task.queue] > 0) {
              f[w.task.queue]--;
              rm--;
              want.push(w.task.runId);
            } else kept.push(w);
          }
          model = [...kept, ...model.slice(i)];
        }
        const got: number[] = [];
        l.startFromHead(
          () => room === 0,
          (w) => free[w.task.queue] > 0,
          (w) => {
            free[w.task.queue]--;
            room--;
            got.push(w.task.runId);
          },
        );
        expect(got).toEqual(want);
      } else if (r < 0.998) {
        const victim = model[Math.floor(next() * model.length)]?.task.runId ?? -1;
        expect(ids(l.removeWhere((w) => w.task.runId === victim))).toEqual(victim < 0 ? [] : [victim]);
        model = model.filter((w) => w.task.runId !== victim);
      } else {
        const before = runId - 200;
        expect(ids(l.removeWhere((w) => w.task.runId < before))).toEqual(ids(model.filter((w) => w.task.runId < before)));
        model = model.filter((w) => w.task.runId >= before);
      }
      expect(l.size).toBe(model.length);
      if (step % 97 === 0) {
        expect(l.runIds()).toEqual(ids(model));
        expect(new Map(l.byQueue)).toEqual(countsOf(model));
      }
    }
    expect(runId).toBeGreaterThan(100_000);
  });
});
