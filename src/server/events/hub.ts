/**
 * The event hub of one web server process: one change source (source.ts) and one reader for
 * every open stream, however many. On each signal — coalesced to one tick per TICK_GAP_MS, and
 * TICK_GAP_BUSY_MS while changes keep coming — it reads the tasks that changed since the last
 * tick (new ones by id, started ones by their runs, finished ones by finished_at, the rest by
 * changed_at: src/queue/sql/changes.ts), and hands each stream what its topics ask for; the overview and a
 * batch's roll-up are computed at most once a second however many streams watch them; a log
 * topic reads its run's lines after the last seq that stream got. Several web server processes
 * each run their own hub and each get every change.
 *
 * Over 300 lines: the tick's parts (task changes, overview, batches, schedules, logs) share the
 * hub's state and are read together.
 */
import type { Topic } from "@/contracts/events";
import type { Database } from "@/db/client";
import {
  changeEnds,
  lastLogSeq,
  readChangedTasks,
  readFinishedTasks,
  readNewTasks,
  readStartedTasks,
  readTasks,
  type ChangeCursor,
  type ChangedTask,
} from "@/queue/sql/changes";
import type { Conn } from "@/queue/sql/executor";
import { getQueue } from "../context";
import { overviewFigures } from "../overview";
import { batchRollUp } from "../batches";
import { logPage } from "../runs";
import { openChangeSource, type ChangeSource } from "./source";

/** Quickest succession of ticks (ms): a burst of signals is one read. */
export const TICK_GAP_MS = 50;
/** …while the last tick found many changes (a drain): fewer, larger reads. */
export const TICK_GAP_BUSY_MS = 250;
/** What "many" is: a tick that read this many changes. A trickle (one task every 20 ms) stays at TICK_GAP_MS. */
const BUSY_ITEMS = 200;
/** The overview and each batch roll-up: at most once per this many ms. */
export const FIGURES_EVERY_MS = 1_000;
/**
 * How far back each time-keyed read looks again (ms). A row's finished_at / changed_at is the
 * database clock when its statement ran; it becomes visible at commit, a few ms later (a group
 * commit of 200 closes) — so a read must look a little behind the newest change it saw. Rows
 * sent before are skipped by the signature of their state. Enqueues in a long transaction (a sweep of
 * 10,000 tasks) can commit later than this: those rows' events may be missed, but the overview
 * and batch roll-ups are recounted, not derived from events, and the lists refetch on any event.
 */
export const OVERLAP_MS = 250;
/**
 * SQLite's: one writer at a time, and a write transaction commits right after its statements
 * (a group commit of 200 closes takes ~3 ms), so 50 ms is plenty. Re-reading 250 ms of a drain
 * of 15,000 tasks a second was 7,500 rows a tick for nothing.
 */
export const OVERLAP_SQLITE_MS = 50;
/** PostgreSQL hands out ids before commit: new tasks and runs are read again from this many ids back. */
export const ID_OVERLAP = 100;
/** Rows per read; a tick that fills one skips every cursor ahead and says `resync`. */
const PAGE = 1_000;
/** Task changes per `tasks` event (the rest are counted in `more`). */
const MAX_ITEMS = 100;
/** Log lines a stream is sent per tick (the next tick goes on). */
const LOG_LINES_PER_TICK = 500;
/** The source closes when no stream has been open for this long. */
const IDLE_CLOSE_MS = 30_000;

/** One open stream as the hub sees it. */
export interface Subscriber {
  topics: Topic[];
  /** Filters of the `tasks` topic. */
  filter: { queue?: string; type?: string; batchId?: string };
  /** Sends one event; false when the stream is behind (the event was dropped, or must wait). */
  send(event: string, data: unknown, id?: string): boolean;
  /** The stream's log topic: the last seq sent, and whether its end was sent. */
  logs: { runId: number; after: number | null; ended: boolean } | null;
}

/** One change as the events carry it. */
export function changeJson(t: ChangedTask) {
  return {
    id: String(t.id),
    type: t.type,
    queue: t.queue,
    status: t.status,
    progress: t.progress,
    progress_message: t.progressMessage,
    batch_id: t.batchId,
    schedule_id: t.scheduleId,
    run_id: t.runId === null ? null : String(t.runId),
    attempts: t.attempts,
    max_attempts: t.maxAttempts,
    cancel_requested: t.cancelRequested,
    changed_at: t.changedAt.toISOString(),
  };
}

/** The hub (one per process and database; see hubFor). */
export class EventHub {
  private readonly subs = new Set<Subscriber>();
  private source: ChangeSource | null = null;
  private starting: Promise<void> | null = null;
  /** Where each read stands: last task id, last run id, last finished_at and changed_at read. */
  private cursor: { taskId: number; runId: number; finished: ChangeCursor; changed: ChangeCursor } | null = null;
  /** What was last sent about each task (its state's signature), so a row read again is not sent twice. */
  private readonly seen = new Map<number, { sig: string; at: number }>();
  /** The cursor was not kept up (only log streams were open): move it to the ends before reading. */
  private cursorStale = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private again = false;
  private lastTick = 0;
  private busy = false;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Changes not yet reflected in the overview / these batches / the schedules (pending a 1 s slot). */
  private overviewDirty = true;
  private lastOverview = 0;
  /** Watched batches: changed since their last roll-up was sent, and when that was. */
  private readonly batches = new Map<string, { dirty: boolean; sentAt: number }>();
  private schedulesDirty = new Set<string>();
  private lastScheduleStamp = "";
  private lastSchedulesCheck = 0;
  private lastQueuesStamp: string | null = null;
  private lastQueuesCheck = 0;

  constructor(
    private readonly database: Database,
    private readonly conn: Conn,
    private readonly log: (m: string) => void = (m) => console.warn(`[events] ${m}`),
  ) {}

  /** What wakes this hub: notify, data_version or poll (null before the first stream). */
  get sourceKind(): ChangeSource["kind"] | null {
    return this.source?.kind ?? null;
  }

  /** Open streams. */
  get size(): number {
    return this.subs.size;
  }

  /** Adds a stream; its log topic starts after `afterSeq`, or at the run's last line. */
  async add(sub: Subscriber, afterSeq: number | null): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (sub.logs) sub.logs.after = afterSeq ?? (await lastLogSeq(this.conn, sub.logs.runId));
    // A new stream gets the current figures at once.
    for (const t of sub.topics) if (t.kind === "batch") this.batches.set(t.id, { dirty: true, sentAt: 0 });
    if (sub.topics.some((t) => t.kind === "overview")) {
      this.overviewDirty = true;
      this.lastOverview = 0;
    }
    // One start for streams that open together (each would otherwise open its own source).
    this.starting ??= (async () => {
      await this.skipToEnds();
      this.source = openChangeSource(this.database, () => this.signal(), this.log);
    })();
    await this.starting;
    this.subs.add(sub);
    this.signal();
  }

  /** Removes a stream; the source closes after a while without any. */
  remove(sub: Subscriber): void {
    this.subs.delete(sub);
    if (this.subs.size === 0 && this.source && !this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        if (this.subs.size > 0) return;
        this.source?.close();
        this.source = null;
        this.starting = null;
      }, IDLE_CLOSE_MS);
      this.idleTimer.unref?.();
    }
  }

  /** Stops watching (open streams get no more events). */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.timer) clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.starting = null;
    this.subs.clear();
  }

  /** Something changed: tick soon (coalesced). */
  signal(): void {
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const gap = this.busy ? TICK_GAP_BUSY_MS : TICK_GAP_MS;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, this.lastTick + gap - Date.now()));
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.ticking = true;
    this.lastTick = Date.now();
    try {
      if (this.subs.size > 0) await this.readTick();
    } catch (err) {
      this.log(`tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
      if (this.again || this.pendingFigures()) {
        this.again = false;
        this.signal();
      }
    }
  }

  private wants(kind: Topic["kind"]): boolean {
    for (const s of this.subs) if (s.topics.some((t) => t.kind === kind)) return true;
    return false;
  }

  private async readTick(): Promise<void> {
    // Streams of log tails only (a run page's log) need no task changes: skip those reads, and
    // start them from the ends again once a stream wants them.
    if (![...this.subs].some((s) => s.topics.some((t) => t.kind !== "logs"))) {
      this.cursorStale = true;
      return this.sendLogs();
    }
    if (this.cursorStale) {
      this.cursorStale = false;
      await this.skipToEnds();
    }
    const changes = await this.readChanges();
    this.busy = changes.items.length >= BUSY_ITEMS || changes.resync;
    if (changes.items.length > 0 || changes.resync) this.overviewDirty = true;
    for (const c of changes.items) {
      const b = c.batchId ? this.batches.get(c.batchId) : undefined;
      if (b) b.dirty = true;
      if (c.scheduleId) this.schedulesDirty.add(c.scheduleId);
    }
    if (changes.resync) {
      // Skipped changes may include a watched task's: read those tasks as they are now.
      const watched = new Set<number>();
      for (const sub of this.subs) for (const t of sub.topics) if (t.kind === "task") watched.add(t.id);
      const have = new Set(changes.items.map((c) => c.id));
      changes.items.push(...(await readTasks(this.conn, [...watched].filter((id) => !have.has(id)))));
    }
    this.sendTasks(changes.items, changes.resync);
    await this.checkQueueControls();
    await this.sendOverview();
    await this.sendBatches(changes.resync);
    await this.sendSchedules();
    await this.sendLogs();
  }

  /** The task changes since the last read (each new state once), or resync when too many came at once. */
  private async readChanges(): Promise<{ items: ChangedTask[]; resync: boolean }> {
    const c = this.cursor;
    if (!c) return { items: [], resync: false };
    const pg = this.database.provider === "postgres";
    const idBack = pg ? ID_OVERLAP : 0;
    const timeBack = pg ? OVERLAP_MS : OVERLAP_SQLITE_MS;
    const back = (k: ChangeCursor): ChangeCursor => ({ at: new Date(k.at.getTime() - timeBack), id: 0 });
    const reads = await Promise.all([
      readNewTasks(this.conn, Math.max(0, c.taskId - idBack), PAGE),
      readStartedTasks(this.conn, Math.max(0, c.runId - idBack), PAGE),
      readFinishedTasks(this.conn, back(c.finished), PAGE),
      readChangedTasks(this.conn, back(c.changed), PAGE),
    ]);
    const [news, started, finished, changed] = reads;
    if (news.length) c.taskId = Math.max(c.taskId, news[news.length - 1].id);
    if (started.length) c.runId = Math.max(c.runId, started[started.length - 1].newRunId);
    const lastFinished = finished.at(-1);
    if (lastFinished?.finishedAt && lastFinished.finishedAt > c.finished.at) c.finished = { at: lastFinished.finishedAt, id: lastFinished.id };
    const lastChanged = changed.at(-1);
    if (lastChanged?.changedAtColumn && lastChanged.changedAtColumn > c.changed.at) c.changed = { at: lastChanged.changedAtColumn, id: lastChanged.id };
    const items: ChangedTask[] = [];
    const now = Date.now();
    for (const r of [...news, ...started, ...finished, ...changed]) {
      const sig = `${r.status}|${r.progress}|${r.progressMessage}|${r.cancelRequested}|${r.runId}|${r.attempts}`;
      if (this.seen.get(r.id)?.sig === sig) continue;
      this.seen.set(r.id, { sig, at: now });
      items.push(r);
    }
    this.prune(now);
    if (reads.some((r) => r.length === PAGE)) {
      // More changed than a tick reads (a drain of thousands a second): skip to now and tell the streams.
      await this.skipToEnds();
      return { items, resync: true };
    }
    return { items, resync: false };
  }

  /** Moves every cursor to the ends of its index. */
  private async skipToEnds(): Promise<void> {
    const e = await changeEnds(this.conn);
    this.cursor = {
      taskId: e.taskId,
      runId: e.runId,
      finished: { at: e.finishedAt ?? new Date(0), id: 0 },
      changed: { at: e.changedAt ?? new Date(0), id: 0 },
    };
  }

  /** Forgets what was sent about tasks not seen for a while (they can no longer be read again by an overlap). */
  private prune(now: number): void {
    if (this.seen.size < 10_000) return;
    for (const [id, v] of this.seen) if (now - v.at > 10_000) this.seen.delete(id);
  }

  private sendTasks(items: ChangedTask[], resync: boolean): void {
    if (items.length === 0 && !resync) return;
    const shared = new Map<string, unknown>();
    for (const s of this.subs) {
      for (const t of s.topics) if (t.kind === "task") for (const c of items) if (c.id === t.id) s.send("task", changeJson(c));
      if (!s.topics.some((t) => t.kind === "tasks")) continue;
      const f = s.filter;
      const mine = items.filter((c) => (!f.queue || c.queue === f.queue) && (!f.type || c.type === f.type) && (!f.batchId || c.batchId === f.batchId));
      if (mine.length === 0 && !resync) continue;
      // Streams with the same filters share one event object (serialised once: see frame()).
      const key = `${f.queue ?? ""}|${f.type ?? ""}|${f.batchId ?? ""}`;
      let data = shared.get(key);
      if (!data) shared.set(key, (data = { items: mine.slice(-MAX_ITEMS).map(changeJson), more: Math.max(0, mine.length - MAX_ITEMS), resync }));
      s.send("tasks", data);
    }
  }

  /** Figures held back by their once-a-second limit: the hub ticks again for them. */
  private pendingFigures(): boolean {
    return (this.overviewDirty && this.wants("overview")) || [...this.batches.values()].some((b) => b.dirty);
  }

  private async sendOverview(): Promise<void> {
    if (!this.overviewDirty || !this.wants("overview") || Date.now() - this.lastOverview < FIGURES_EVERY_MS) return;
    this.overviewDirty = false;
    this.lastOverview = Date.now();
    const figures = await overviewFigures(this.database, this.conn);
    for (const s of this.subs) if (s.topics.some((t) => t.kind === "overview")) s.send("overview", figures);
  }

  /**
   * A queue paused, resumed or given limits changes no task, so the overview (whose event the
   * queue panel refreshes on) is marked changed when the queue_controls rows do — a table of
   * a handful of rows, read at most once a second while someone watches the overview.
   */
  private async checkQueueControls(): Promise<void> {
    if (!this.wants("overview") || Date.now() - this.lastQueuesCheck < FIGURES_EVERY_MS) return;
    this.lastQueuesCheck = Date.now();
    const rows = await this.database.db.queueControl.findMany({ select: { name: true, updatedAt: true } });
    const stamp = rows.map((r) => `${r.name}@${r.updatedAt.getTime()}`).join(",");
    if (this.lastQueuesStamp !== null && stamp !== this.lastQueuesStamp) this.overviewDirty = true;
    this.lastQueuesStamp = stamp;
  }

  /** Roll-ups of watched batches that changed, each at most once a second. */
  private async sendBatches(resync: boolean): Promise<void> {
    const watched = new Set<string>();
    for (const s of this.subs) for (const t of s.topics) if (t.kind === "batch") watched.add(t.id);
    for (const id of this.batches.keys()) if (!watched.has(id)) this.batches.delete(id);
    for (const id of watched) {
      const b = this.batches.get(id) ?? { dirty: true, sentAt: 0 };
      this.batches.set(id, b);
      if (resync) b.dirty = true;
      if (!b.dirty || Date.now() - b.sentAt < FIGURES_EVERY_MS) continue;
      b.dirty = false;
      b.sentAt = Date.now();
      const json = await batchRollUp(this.database, id);
      if (!json) continue;
      for (const s of this.subs) if (s.topics.some((t) => t.kind === "batch" && t.id === id)) s.send("batch", json);
    }
  }

  /** Schedules that fired (a task of theirs changed) or whose rows changed (paused, edited), at most once a second. */
  private async sendSchedules(): Promise<void> {
    if (!this.wants("schedules") || Date.now() - this.lastSchedulesCheck < FIGURES_EVERY_MS) return;
    this.lastSchedulesCheck = Date.now();
    // Not aggregate(): its _max of a DateTime comes back as an invalid date through the SQLite
    // adapter (times are stored as integer ms). The schedules table is small.
    const [count, latest] = await Promise.all([
      this.database.db.schedule.count(),
      this.database.db.schedule.findFirst({ orderBy: { updatedAt: "desc" }, select: { updatedAt: true } }),
    ]);
    const stamp = `${count}|${latest?.updatedAt.getTime() ?? 0}`;
    const changedRows = stamp !== this.lastScheduleStamp && this.lastScheduleStamp !== "";
    this.lastScheduleStamp = stamp;
    if (!changedRows && this.schedulesDirty.size === 0) return;
    const ids = [...this.schedulesDirty];
    this.schedulesDirty = new Set();
    for (const s of this.subs) if (s.topics.some((t) => t.kind === "schedules")) s.send("schedules", { schedule_ids: ids });
  }

  /** New lines of each stream's run, in order, one event each (id = seq); a stream that is behind waits, it never skips. */
  private async sendLogs(): Promise<void> {
    for (const s of this.subs) {
      const l = s.logs;
      if (!l || l.ended || l.after === null) continue;
      const page = await logPage(this.database, l.runId, { after_seq: l.after, limit: LOG_LINES_PER_TICK });
      if (!page) {
        l.ended = true;
        s.send("log_end", { run_id: String(l.runId), status: "missing" });
        continue;
      }
      for (const line of page.items) {
        if (!s.send("log", { run_id: String(l.runId), ...line }, String(line.seq))) break;
        l.after = line.seq;
      }
      if (page.items.length === LOG_LINES_PER_TICK) this.again = true;
      else if (page.run_finished && l.after === page.next_after_seq) {
        l.ended = true;
        const run = await this.database.db.run.findUnique({ where: { id: l.runId }, select: { status: true } });
        s.send("log_end", { run_id: String(l.runId), status: run?.status ?? "missing" });
      }
    }
  }
}

const HUBS = "__qtaskEventHubs";

/** This process's hub for its database (created on first use). */
export async function hubFor(): Promise<EventHub> {
  const g = globalThis as unknown as Record<string, Map<string, EventHub> | undefined>;
  const hubs = (g[HUBS] ??= new Map());
  const { database, conn } = await getQueue();
  let hub = hubs.get(database.url);
  if (!hub) hubs.set(database.url, (hub = new EventHub(database, conn)));
  return hub;
}

/** Closes every hub's change source (tests, and a server shutting down). */
export function closeHubs(): void {
  const hubs = (globalThis as unknown as Record<string, Map<string, EventHub> | undefined>)[HUBS];
  for (const hub of hubs?.values() ?? []) hub.close();
  hubs?.clear();
}
