/**
 * A run's log as people read it: the lines stored in run_logs, plus the two lines every run
 * has that the worker does not write — its first, "attempt n/m started on worker w" (seq 1),
 * and, when it succeeded, its last, "succeeded" (the seq after the last stored line). Both are
 * rendered here from the run row, which holds everything they say: a drain of short tasks
 * then writes no log row per task at all (two rows per task, with their foreign-key checks,
 * were a fifth of a busy PostgreSQL queue's server time), while every reader — the API's log
 * pages, the download, the tests — sees the same lines as before.
 *
 * Only runs claimed since migration 0006 (runs.max_attempts set) get rendered lines; older
 * runs stored all of theirs. A stored line at seq 1 replaces the rendered start line: the
 * worker writes one there when a claimed task ends before its handler started (cancelled
 * while waiting for a slot, handed back at shutdown), so no "started" line is shown for it.
 */
import { empty, join, raw, sql } from "@/db/dialect";
import type { LogLevel } from "./registry";
import { dialect, query as select, toDate, type Conn } from "./sql/executor";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** One line of a run's log, stored or rendered. */
export interface RunLogLine {
  seq: number;
  ts: Date;
  level: LogLevel;
  message: string;
  /** JSON text, or null. */
  data: string | null;
}

/** The run columns the rendered lines are made of. */
export interface RunForLog {
  id: number;
  attempt: number;
  maxAttempts: number | null;
  workerId: string | null;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
}

/** Which lines to read: after `afterSeq`, at most `limit`, at or above `level`, containing `q`, from a script's `stream`. */
export interface RunLogQuery {
  afterSeq: number;
  limit: number;
  level?: LogLevel;
  q?: string;
  /** Only what a script printed on stdout or stderr (lines whose data is exactly {"stream": …}). */
  stream?: "stdout" | "stderr";
}

/** The data of a line a script printed (src/tasks/scripts/runner.ts writes exactly this). */
export function streamData(stream: "stdout" | "stderr"): string {
  return JSON.stringify({ stream });
}

/**
 * The run's log lines in seq order, stored and rendered, filtered and paged as `query` asks.
 * `q` matches a part of the message exactly (case-sensitive; `%` and `_` are plain characters),
 * the same way for stored and rendered lines.
 */
export async function readRunLog(conn: Conn, run: RunForLog, query: RunLogQuery): Promise<RunLogLine[]> {
  const db = conn.db;
  const d = dialect(conn);
  const levels = query.level ? LEVELS.slice(LEVELS.indexOf(query.level)) : null;
  const rows = await select<{ seq: unknown; ts: unknown; level: string; message: string; data: string | null }>(
    conn,
    sql`SELECT seq, ts, level, message, data FROM run_logs
        WHERE run_id = ${run.id} AND seq > ${query.afterSeq}
          ${levels ? sql`AND level IN (${join([...levels])})` : empty}
          ${query.q ? sql`AND ${d.contains(raw("message"), query.q)}` : empty}
          ${query.stream ? sql`AND data = ${streamData(query.stream)}` : empty}
        ORDER BY seq LIMIT ${d.limit(query.limit)}`,
  );
  const stored: RunLogLine[] = rows.map((l) => ({
    seq: Number(l.seq),
    ts: toDate(l.ts) as Date,
    level: l.level as LogLevel,
    message: l.message,
    data: l.data,
  }));
  if (run.maxAttempts === null) return stored;

  const wanted = (l: RunLogLine) =>
    l.seq > query.afterSeq && (!levels || levels.includes(l.level)) && (!query.q || l.message.includes(query.q)) && !query.stream;
  // Unfiltered, the stored page itself says what the rendered lines need (whether seq 1 is
  // stored, the last seq); only a filtered page, which may skip those rows, asks again.
  const filtered = levels !== null || query.q !== undefined || query.stream !== undefined;
  const lines = [...stored];
  const start: RunLogLine = {
    seq: 1,
    ts: run.startedAt,
    level: "info",
    message: `attempt ${run.attempt}/${run.maxAttempts} started on worker ${run.workerId ?? "?"}`,
    data: null,
  };
  if (wanted(start) && stored[0]?.seq !== 1) {
    const storedFirst = filtered && (await db.runLog.findUnique({ where: { runId_seq: { runId: run.id, seq: 1 } }, select: { seq: true } }));
    if (!storedFirst) lines.unshift(start);
  }
  // The closing line comes after every stored line, so only a page that reached the end shows it.
  if (run.status === "succeeded" && stored.length < query.limit) {
    const last =
      !filtered && stored.length > 0
        ? stored[stored.length - 1].seq
        : ((await db.runLog.aggregate({ where: { runId: run.id }, _max: { seq: true } }))._max.seq ?? 1);
    const end: RunLogLine = { seq: last + 1, ts: run.finishedAt ?? run.startedAt, level: "info", message: "succeeded", data: null };
    if (wanted(end)) lines.push(end);
  }
  return lines.slice(0, query.limit);
}
