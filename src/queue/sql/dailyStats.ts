/**
 * The daily roll-up in the database (the arithmetic is ../dailyStats.ts): rows of
 * daily_stats per day, task type and queue, which retention never deletes.
 *
 * How it stays complete while runs are deleted:
 * - rollUpDailyStats recomputes every day from the first one not yet final through today, from
 *   the runs that finished since `final_before` plus the runs kept for it, and then makes final
 *   every day that ended more than a grace period ago (a run is stamped with its finish before
 *   it commits; five minutes covers the slowest commit);
 * - every statement that deletes tasks first calls keepRunsForStats, which copies the finished
 *   runs of a day not yet final into daily_stats_kept_runs and moves `version` on; a roll-up
 *   that read the runs before such a deletion finds the version moved when it writes, and
 *   leaves the writing to its next round, so no run counts twice and none is lost.
 * The scan reads runs from `scan_from_id` (every lower run finished before final_before), so a
 * round reads the runs of about a day, not the whole history.
 */
import { empty, join, sql, type Sql } from "@/db/dialect";
import { emptyCell, groupRuns, mergeCell, type DayClock, type RunFact, type StatCell } from "../dailyStats";
import { execute, query, toDate, toInt, transaction, type Conn } from "./executor";

/** Runs read per statement of the scan. */
const PAGE = 5_000;

/**
 * Before tasks are deleted: copies the finished runs of the tasks `where` selects (a condition
 * on `t`, the tasks table) whose day is not final yet, and moves the version on. Call it in the
 * deleting transaction, before the DELETE.
 */
export async function keepRunsForStats(tx: Conn, where: Sql): Promise<void> {
  // The version first: it locks the state row, so a round cannot make a day final between
  // the copy below reading final_before and this transaction's commit.
  await execute(tx, sql`UPDATE daily_stats_state SET version = version + 1 WHERE id = 1`);
  await execute(
    tx,
    sql`INSERT INTO daily_stats_kept_runs (run_id, type, queue, status, started_at, finished_at, duration_ms, due_at)
        SELECT r.id, t.type, t.queue, r.status, r.started_at, r.finished_at, r.duration_ms, CASE WHEN t.run_id = r.id THEN t.run_at END
        FROM runs r JOIN tasks t ON t.id = r.task_id
        WHERE ${where} AND r.finished_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM daily_stats_state s WHERE s.id = 1 AND s.final_before IS NOT NULL AND r.finished_at < s.final_before)
        ON CONFLICT (run_id) DO NOTHING`,
  );
}

/** What a round of the roll-up did. */
export interface RollUpOutcome {
  /** Runs counted (scanned and kept). */
  runs: number;
  /** Days written, the first one, and the instant before which every run is now final. */
  days: number;
  firstDay: string | null;
  finalBefore: Date | null;
  /** A deletion of runs came between its read and its write: nothing was written. */
  retry: boolean;
}

/**
 * One round: recomputes the days not yet final (through today) and makes final those that
 * ended more than `graceMs` before `now`.
 */
export async function rollUpDailyStats(
  conn: Conn,
  clock: DayClock,
  /** `beforeWrite` runs between the read and the write (tests put a deletion there). */
  opts: { now?: Date; graceMs?: number; beforeWrite?: () => Promise<void> } = {},
): Promise<RollUpOutcome> {
  const now = opts.now ?? new Date();
  const graceMs = opts.graceMs ?? 5 * 60_000;
  const [state] = await query<Record<string, unknown>>(conn, sql`SELECT final_before, scan_from_id, version FROM daily_stats_state WHERE id = 1`);
  const finalBefore = toDate(state?.final_before);
  const version = toInt(state?.version ?? 0);
  const newFinal = new Date(Math.max(finalBefore?.getTime() ?? 0, clock.startOf(clock.dayOf(now.getTime() - graceMs))));

  // The runs since final_before, counted into cells page by page (a first round over a
  // million runs holds the cells, not the runs), and where the next round's scan may start:
  // the lowest id among them (and the runs still running), since every run below it is final
  // after this round.
  const cells = new Map<string, StatCell>();
  let counted = 0;
  let scanFrom: number | null = null;
  let cursor = toInt(state?.scan_from_id ?? 0);
  let last = cursor - 1;
  for (;;) {
    const rows = await query<Record<string, unknown>>(
      conn,
      sql`SELECT r.id, r.status, r.started_at, r.finished_at, r.duration_ms, t.type, t.queue, CASE WHEN t.run_id = r.id THEN t.run_at END AS due_at
          FROM runs r JOIN tasks t ON t.id = r.task_id
          WHERE r.id >= ${cursor} AND (r.finished_at IS NULL ${finalBefore ? sql`OR r.finished_at >= ${finalBefore}` : sql`OR r.finished_at IS NOT NULL`})
          ORDER BY r.id LIMIT ${PAGE}`,
    );
    const facts: RunFact[] = [];
    for (const r of rows) {
      const id = toInt(r.id);
      last = id;
      const finishedAt = toDate(r.finished_at);
      if (!finishedAt || finishedAt >= newFinal) scanFrom ??= id;
      if (finishedAt) facts.push(factOf(r, finishedAt));
    }
    groupRuns(facts, clock, cells);
    counted += facts.length;
    if (rows.length < PAGE) break;
    cursor = last + 1;
  }

  await opts.beforeWrite?.();
  return transaction(conn, async (tx) => {
    // The first statement writes: it takes SQLite's write lock, PostgreSQL's row lock, so two
    // rounds (or a round and a deletion) take turns here.
    const [locked] = await query<Record<string, unknown>>(
      tx,
      sql`UPDATE daily_stats_state SET version = version WHERE id = 1 RETURNING version, final_before`,
    );
    if (toInt(locked?.version ?? 0) !== version || toDate(locked?.final_before)?.getTime() !== finalBefore?.getTime())
      return { runs: 0, days: 0, firstDay: null, finalBefore, retry: true };
    // Kept runs that finished before final_before were counted by the round that made their
    // day final (a deletion raced it); they are only cleared away below.
    const kept = await query<Record<string, unknown>>(
      tx,
      finalBefore ? sql`SELECT * FROM daily_stats_kept_runs WHERE finished_at >= ${finalBefore}` : sql`SELECT * FROM daily_stats_kept_runs`,
    );
    // Into a copy: the scan's cells stay as they were if this transaction is run again.
    const all = new Map([...cells].map(([k, c]) => [k, mergeCell(emptyCell(), c)]));
    groupRuns(
      kept.map((r) => factOf(r, toDate(r.finished_at)!)),
      clock,
      all,
    );
    const firstDay = finalBefore ? clock.dayOf(finalBefore.getTime()) : ([...all.keys()].map((k) => k.split("|")[0]).sort()[0] ?? null);
    if (firstDay !== null) {
      await execute(tx, sql`DELETE FROM daily_stats WHERE day >= ${firstDay}`);
      const rows = [...all.entries()].map(([key, c]) => {
        const [day, type, queue] = key.split("|");
        return sql`(${day}, ${type}, ${queue}, ${c.runs}, ${JSON.stringify(c.outcomes)}, ${JSON.stringify(c.duration)}, ${JSON.stringify(c.wait)})`;
      });
      for (let i = 0; i < rows.length; i += 500)
        await execute(
          tx,
          sql`INSERT INTO daily_stats (day, type, queue, runs, outcomes, duration_hist, wait_hist) VALUES ${join(rows.slice(i, i + 500))}`,
        );
    }
    await execute(tx, sql`DELETE FROM daily_stats_kept_runs WHERE finished_at < ${newFinal}`);
    await execute(
      tx,
      sql`UPDATE daily_stats_state SET final_before = ${newFinal}, scan_from_id = ${nextScanFrom(toInt(state?.scan_from_id ?? 0), scanFrom, last)}, rolled_at = ${now} WHERE id = 1`,
    );
    return {
      runs: counted + kept.length,
      days: new Set([...all.keys()].map((k) => k.split("|")[0])).size,
      firstDay,
      finalBefore: newFinal,
      retry: false,
    };
  });
}

/** A run (a row of the scan or of daily_stats_kept_runs) as the roll-up counts it. */
function factOf(r: Record<string, unknown>, finishedAt: Date): RunFact {
  return {
    type: String(r.type),
    queue: String(r.queue),
    status: String(r.status),
    startedAt: toDate(r.started_at)!,
    finishedAt,
    durationMs: r.duration_ms === null ? null : toInt(r.duration_ms),
    dueAt: toDate(r.due_at),
  };
}

/**
 * Where the next scan starts: the lowest run id not final after this round, but never more
 * than LATE_IDS below the highest id read — a run whose id was taken before a later one's but
 * committed after this scan read past it is read next time.
 */
function nextScanFrom(from: number, lowestOpen: number | null, last: number): number {
  return Math.max(from, Math.min(lowestOpen ?? last + 1, last + 1 - LATE_IDS));
}
const LATE_IDS = 10_000;

/** A stored cell with its day, type and queue. */
export interface DailyRow extends StatCell {
  day: string;
  type: string;
  queue: string;
}

/** The roll-up's rows of days from `fromDay` through `toDay` (YYYY-MM-DD), of one type and/or queue if given. */
export async function readDailyStats(
  conn: Conn,
  fromDay: string,
  toDay: string,
  filter: { type?: string; queue?: string } = {},
): Promise<DailyRow[]> {
  const rows = await query<Record<string, unknown>>(
    conn,
    sql`SELECT day, type, queue, runs, outcomes, duration_hist, wait_hist FROM daily_stats
        WHERE day >= ${fromDay} AND day <= ${toDay}
          ${filter.type ? sql`AND type = ${filter.type}` : empty} ${filter.queue ? sql`AND queue = ${filter.queue}` : empty}
        ORDER BY day`,
  );
  return rows.map((r) => ({
    day: String(r.day),
    type: String(r.type),
    queue: String(r.queue),
    runs: toInt(r.runs),
    outcomes: JSON.parse(String(r.outcomes)) as Record<string, number>,
    duration: JSON.parse(String(r.duration_hist)) as Record<string, number>,
    wait: JSON.parse(String(r.wait_hist)) as Record<string, number>,
  }));
}

/** When the roll-up last ran, and the instant before which it is final. */
export async function rollUpState(conn: Conn): Promise<{ rolledAt: Date | null; finalBefore: Date | null }> {
  const [s] = await query<Record<string, unknown>>(conn, sql`SELECT rolled_at, final_before FROM daily_stats_state WHERE id = 1`);
  return { rolledAt: toDate(s?.rolled_at), finalBefore: toDate(s?.final_before) };
}
