/**
 * Every statement family of the engine against a task in every status, on both databases:
 * only the transitions of the state table (src/queue/states.ts) happen, and each family does
 * make the transitions it exists for. The tasks are set up so that everything but the status
 * would let a statement through: each holds a run (run_id set, the run row still running), its
 * lease has expired, attempts are left. So a guard that is missing, too wide or too narrow
 * shows up here as a wrong status.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { enqueueMany } from "@/queue/enqueue";
import { claimTasks } from "@/queue/sql/claim";
import { closeRun, type RunOutcome } from "@/queue/sql/complete";
import { cancelTask, deleteTask, retryBatch, retryTask } from "@/queue/sql/control";
import { transaction } from "@/queue/sql/executor";
import { heartbeat, rescueExpired } from "@/queue/sql/lease";
import { insertLogLines, upsertResultRows, writeProgress } from "@/queue/sql/runWrites";
import { FINISHED_STATUSES, IllegalTransitionError, TASK_STATUSES, TRANSITIONS, type TaskEvent, type TaskStatus } from "@/queue/states";
import { registry } from "@/tasks";
import { freshDb, providers, type TestDb } from "./support/db";

/** One task per status, each pointing at its own (still running) run, its lease expired. */
interface Subject {
  status: TaskStatus;
  id: number;
  runId: number;
  /** The batch all the subjects of one test share. */
  batchId: string;
}

async function subjects(t: TestDb, opts: { attemptsLeft?: boolean; cancelRequested?: boolean } = {}): Promise<Subject[]> {
  const { ids, batchId } = await enqueueMany(
    t.conn,
    registry,
    TASK_STATUSES.map(() => ({ type: "noop", maxAttempts: 3 })),
  );
  const claimed = await claimTasks(t.conn, { workerId: "w1", slots: { default: ids.length }, limit: ids.length, leaseMs: 30_000 });
  expect(claimed).toHaveLength(ids.length);
  const out: Subject[] = [];
  for (const [i, status] of TASK_STATUSES.entries()) {
    const c = claimed.find((x) => x.id === ids[i])!;
    await t.database.db.task.update({
      where: { id: c.id },
      data: {
        status,
        leaseExpiresAt: new Date(Date.now() - 60_000),
        maxAttempts: opts.attemptsLeft === false ? 1 : 3,
        cancelRequested: opts.cancelRequested ?? false,
      },
    });
    out.push({ status, id: c.id, runId: c.runId, batchId });
  }
  return out;
}

const statusOf = async (t: TestDb, id: number) => (await t.database.db.task.findUnique({ where: { id } }))?.status ?? null;
const runStatusOf = async (t: TestDb, runId: number) => (await t.database.db.run.findUniqueOrThrow({ where: { id: runId } })).status;

/**
 * A statement family: what it does to the subjects, the event it performs and the statuses it
 * performs it from (each of which the table must allow).
 */
interface Family {
  name: string;
  setup?: { attemptsLeft?: boolean; cancelRequested?: boolean };
  event: TaskEvent;
  from: TaskStatus[];
  /** Whether the run row is closed when the task moves. */
  closesRun: boolean;
  apply(t: TestDb, all: Subject[]): Promise<void>;
}

const failed = (retryable: boolean): RunOutcome => ({ kind: "failed", error: "boom", retryable, backoffMs: 0, timedOut: false });
const closeEach = (outcome: RunOutcome) => async (t: TestDb, all: Subject[]) => {
  // Together: closes of one turn are group-committed (the batched statements).
  await Promise.all(all.map((s) => closeRun(t.conn, s.id, s.runId, outcome, 5)));
};

const FAMILIES: Family[] = [
  {
    name: "claim",
    event: "claim",
    from: ["queued"],
    closesRun: false,
    apply: async (t) => void (await claimTasks(t.conn, { workerId: "w2", slots: { default: 50 }, limit: 50, leaseMs: 30_000 })),
  },
  { name: "close: succeeded, batched", event: "succeed", from: ["running"], closesRun: true, apply: closeEach({ kind: "succeeded", result: null }) },
  {
    name: "close: succeeded, one at a time in a caller's transaction",
    event: "succeed",
    from: ["running"],
    closesRun: true,
    apply: async (t, all) => {
      for (const s of all) await transaction(t.conn, (tx) => closeRun(tx, s.id, s.runId, { kind: "succeeded", result: null }, 5));
    },
  },
  {
    name: "close: succeeded, one at a time",
    event: "succeed",
    from: ["running"],
    closesRun: true,
    apply: async (t, all) => {
      for (const s of all) await closeRun(t.conn, s.id, s.runId, { kind: "succeeded", result: null }, 5);
    },
  },
  { name: "close: cancelled", event: "cancel", from: ["running"], closesRun: true, apply: closeEach({ kind: "cancelled", error: "stop" }) },
  {
    name: "close: handed back",
    event: "release",
    from: ["running"],
    closesRun: true,
    apply: closeEach({ kind: "requeued", delayMs: 0, reason: "shutdown", runStatus: "requeued" }),
  },
  { name: "close: failed with attempts left", event: "retry_later", from: ["running"], closesRun: true, apply: closeEach(failed(true)) },
  {
    name: "close: failed, no attempts left",
    setup: { attemptsLeft: false },
    event: "fail",
    from: ["running"],
    closesRun: true,
    apply: closeEach(failed(true)),
  },
  { name: "close: failed for good", event: "fail", from: ["running"], closesRun: true, apply: closeEach(failed(false)) },
  {
    name: "close: failed while a cancel was requested",
    setup: { cancelRequested: true },
    event: "cancel",
    from: ["running"],
    closesRun: true,
    apply: closeEach(failed(true)),
  },
  { name: "rescue with attempts left", event: "rescue", from: ["running"], closesRun: true, apply: async (t) => void (await rescueExpired(t.conn)) },
  {
    name: "rescue, no attempts left",
    setup: { attemptsLeft: false },
    event: "rescue_fail",
    from: ["running"],
    closesRun: true,
    apply: async (t) => void (await rescueExpired(t.conn)),
  },
  {
    name: "rescue while a cancel was requested",
    setup: { cancelRequested: true },
    event: "cancel",
    from: ["running"],
    closesRun: true,
    apply: async (t) => void (await rescueExpired(t.conn)),
  },
  {
    name: "user cancel (a running task only gets the request)",
    event: "cancel",
    from: ["queued"],
    closesRun: false,
    apply: async (t, all) => {
      for (const s of all) await cancelTask(t.conn, s.id).catch((err: unknown) => expect(err).toBeInstanceOf(IllegalTransitionError));
    },
  },
  {
    name: "user retry",
    event: "retry",
    from: ["failed", "cancelled"],
    closesRun: false,
    apply: async (t, all) => {
      for (const s of all) await retryTask(t.conn, s.id).catch((err: unknown) => expect(err).toBeInstanceOf(IllegalTransitionError));
    },
  },
  {
    name: "user retry of a batch's failed tasks",
    event: "retry",
    from: ["failed", "cancelled"],
    closesRun: false,
    apply: async (t, all) => void (await retryBatch(t.conn, all[0].batchId)),
  },
];

for (const { kind, available } of providers()) {
  describe.skipIf(!available)(`state transitions on ${kind}`, () => {
    let t: TestDb;
    beforeEach(async () => {
      t = await freshDb(kind);
    });
    afterEach(async () => {
      await t.drop();
    });

    for (const f of FAMILIES) {
      it(`${f.name}: ${f.event} from ${f.from.join("/")} only, as the table says`, async () => {
        for (const s of f.from) expect(TRANSITIONS[f.event][s], `${f.event} from ${s} is not in the table`).toBeTruthy();
        const all = await subjects(t, f.setup);
        await f.apply(t, all);
        for (const s of all) {
          const expected = f.from.includes(s.status) ? TRANSITIONS[f.event][s.status] : s.status;
          expect(await statusOf(t, s.id), `${f.name}: a ${s.status} task`).toBe(expected);
          // The run is closed exactly when its task moved (and by nothing else).
          if (f.closesRun)
            expect((await runStatusOf(t, s.runId)) !== "running", `${f.name}: the run of a ${s.status} task`).toBe(expected !== s.status);
        }
      });
    }

    it("heartbeats move no task, and renew only the leases of running tasks", async () => {
      const all = await subjects(t);
      const res = await heartbeat(t.conn, { workerId: "w1", runIds: all.map((s) => s.runId), leaseMs: 30_000 });
      for (const s of all) {
        const row = await t.database.db.task.findUniqueOrThrow({ where: { id: s.id } });
        expect(row.status).toBe(s.status);
        expect(row.leaseExpiresAt!.getTime() > Date.now(), `lease of a ${s.status} task`).toBe(s.status === "running");
      }
      expect(res.lost.sort()).toEqual(
        all
          .filter((s) => s.status !== "running")
          .map((s) => s.runId)
          .sort(),
      );
    });

    it("a user cancel of a running task only requests it", async () => {
      const running = (await subjects(t)).find((s) => s.status === "running")!;
      expect(await cancelTask(t.conn, running.id)).toBe("cancel_requested");
      const row = await t.database.db.task.findUniqueOrThrow({ where: { id: running.id } });
      expect([row.status, row.cancelRequested]).toEqual(["running", true]);
    });

    it("a run's writes go through only while its task is running, and move no task", async () => {
      const all = await subjects(t);
      for (const s of all) {
        const progressed = await writeProgress(t.conn, s.id, s.runId, 40, "half");
        const logged = await insertLogLines(t.conn, s.id, s.runId, [{ seq: 2, ts: new Date(), level: "info", message: "x", data: null }]);
        const stored = await upsertResultRows(t.conn, s.id, s.runId, [{ key: "k", data: "1" }]);
        expect([progressed, logged, stored], `writes of a ${s.status} task's run`).toEqual(Array(3).fill(s.status === "running"));
        expect(await statusOf(t, s.id)).toBe(s.status);
      }
    });

    it("deletes finished tasks only", async () => {
      const all = await subjects(t);
      for (const s of all) {
        const err = await deleteTask(t.conn, s.id).then(
          () => null,
          (e: unknown) => e,
        );
        const finished = FINISHED_STATUSES.includes(s.status);
        expect(await statusOf(t, s.id), `delete of a ${s.status} task`).toBe(finished ? null : s.status);
        if (!finished) expect(err).toBeInstanceOf(IllegalTransitionError);
      }
    });
  });
}
