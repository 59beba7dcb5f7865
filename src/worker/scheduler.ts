/**
 * The scheduler loop of a worker process. Every worker runs it; only the one holding the
 * `scheduler` lease fires due schedules (the others just keep trying to take the lease, so a
 * dead leader is replaced within the lease time). Firing goes through the normal enqueue.
 */
import type { Registry } from "@/queue/registry";
import { prepareTask } from "@/queue/enqueue";
import { planFire, restartDelayMs, taskOfSchedule, timingOf } from "@/schedule/timing";
import { isFinished } from "@/queue/states";
import type { Conn } from "@/queue/sql/executor";
import { cancelTask, statusOf } from "@/queue/sql/control";
import {
  acquireLease,
  advanceSchedule,
  dueSchedules,
  fireSlot,
  releaseLease,
  skipSlot,
  supervisedState,
  type DueSchedule,
} from "@/queue/sql/scheduler";

export const SCHEDULER_LEASE = "scheduler";
/** How often a supervised schedule's task is checked on while it runs. */
const SUPERVISE_CHECK_MS = 2_000;

export class SchedulerLoop {
  private timer: NodeJS.Timeout | null = null;
  private leader = false;
  private current: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly conn: Conn,
    private readonly registry: Registry,
    private readonly holder: string,
    private readonly tickMs: number,
    private readonly log: (m: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    void this.tick();
  }

  /** Stops ticking, waits for a tick in progress, and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.current;
    if (this.leader) await releaseLease(this.conn, SCHEDULER_LEASE, this.holder).catch(() => undefined);
  }

  /** One round: keep or take the lease; when leading, fire what is due. */
  tick(): Promise<void> {
    if (this.current || this.stopped) return this.current ?? Promise.resolve();
    this.current = this.round().finally(() => (this.current = null));
    return this.current;
  }

  private async round(): Promise<void> {
    try {
      const leading = await acquireLease(this.conn, SCHEDULER_LEASE, this.holder, Math.max(5_000, this.tickMs * 5));
      if (leading !== this.leader) this.log(leading ? "became the scheduler leader" : "no longer the scheduler leader");
      this.leader = leading;
      if (!leading) return;
      const { now, due } = await dueSchedules(this.conn);
      for (const s of due) await this.fire(s, now);
    } catch (err) {
      this.log(`scheduler tick failed: ${(err as Error).message}`);
    }
  }

  private async fire(s: DueSchedule, now: Date): Promise<void> {
    if (s.kind === "supervised") return this.supervise(s, now);
    const plan = planFire(timingOf(s), s.nextRunAt, now, s.misfirePolicy);
    if (plan.skipped > 0) this.log(`schedule ${s.name}: ${plan.skipped} missed slot(s) not replayed (misfire policy ${s.misfirePolicy})`);
    if (!plan.fire) return advanceSchedule(this.conn, s.id, plan.next);
    const row = this.prepare(s);
    if (!row) return advanceSchedule(this.conn, s.id, plan.next);
    if (!(await this.overlapAllows(s, plan.fire, plan.next))) return;
    const taskId = await fireSlot(this.conn, s.id, plan.fire, row, plan.next);
    if (taskId !== null) this.log(`schedule ${s.name}: fired ${plan.fire.toISOString()} → task ${taskId}`);
  }

  /**
   * The schedule's overlap policy, when its previous task is still unfinished: `skip` records
   * the slot as skipped (and fires nothing), `cancel_previous` asks the previous task to stop
   * and lets the new one fire, `allow` fires beside it. True: fire.
   */
  private async overlapAllows(s: DueSchedule, slot: Date, next: Date | null): Promise<boolean> {
    if (s.overlapPolicy === "allow" || s.lastTaskId === null) return true;
    const last = await statusOf(this.conn, s.lastTaskId);
    if (last === null || isFinished(last)) return true;
    if (s.overlapPolicy === "cancel_previous") {
      const how = await cancelTask(this.conn, s.lastTaskId).catch(() => null);
      if (how) this.log(`schedule ${s.name}: slot ${slot.toISOString()} cancels task ${s.lastTaskId} still unfinished (${how})`);
      return true;
    }
    if (await skipSlot(this.conn, s.id, slot, s.lastTaskId, "overlap", next))
      this.log(`schedule ${s.name}: slot ${slot.toISOString()} skipped, task ${s.lastTaskId} still unfinished (overlap policy skip)`);
    return false;
  }

  /**
   * Keeps one task of a supervised schedule alive: while it runs, look again later; once it
   * has ended, start a new one — at once after a clean exit, after a doubling delay (1 s … 60 s)
   * after failures in a row. Each restart is a new task, so the history shows every run.
   */
  private async supervise(s: DueSchedule, now: Date): Promise<void> {
    const state = await supervisedState(this.conn, s.id);
    const recheck = new Date(now.getTime() + SUPERVISE_CHECK_MS);
    if (state.lastStatus && !isFinished(state.lastStatus)) return advanceSchedule(this.conn, s.id, recheck);
    if (state.lastFinishedAt) {
      const startAt = state.lastFinishedAt.getTime() + (state.lastStatus === "failed" ? restartDelayMs(state.failures - 1) : 1000);
      if (now.getTime() < startAt) return advanceSchedule(this.conn, s.id, new Date(startAt));
    }
    const row = this.prepare(s);
    if (!row) return advanceSchedule(this.conn, s.id, new Date(now.getTime() + 60_000));
    // The slot key of a restart is the id of the task it replaces: exactly one successor per run.
    const taskId = await fireSlot(this.conn, s.id, new Date(state.lastId ?? 0), row, recheck);
    if (taskId !== null)
      this.log(
        `supervised ${s.name}: started task ${taskId}${state.lastId ? ` (after task ${state.lastId} ${state.lastStatus}, ${state.failures} failure(s) in a row)` : ""}`,
      );
  }

  private prepare(s: DueSchedule) {
    try {
      return prepareTask(this.registry, taskOfSchedule(s));
    } catch (err) {
      this.log(`schedule ${s.name}: cannot enqueue (${(err as Error).message}); skipped`);
      return null;
    }
  }
}
