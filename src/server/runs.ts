/** The run endpoints' verbs (执行历史): the run list, a run with its task, and a run's log (paged, and as a file). */
import type { Database } from "@/db/client";
import type { getRun, listRuns, runLogDownload, runLogs } from "@/contracts/runs";
import type { LogLevel } from "@/queue/registry";
import { readRunLog } from "@/queue/runLog";
import { connOf } from "@/queue/sql/executor";
import { findRunIds } from "@/queue/sql/reads";
import { getQueue } from "./context";
import { HttpError } from "./errors";
import { parseJson, runJson, taskJson, viewerOf } from "./json";
import { cursorPage } from "./paging";
import type { Input, Output } from "./route";

/** Lines per read when a whole log is streamed as a file. */
const DOWNLOAD_CHUNK = 5_000;

/** Runs (执行历史), newest first; filters type, status, schedule_id, task_id, from/to (start time). */
export async function list({ query, principal }: Input<typeof listRuns>): Promise<Output<typeof listRuns>> {
  const { database, conn } = await getQueue();
  const ids = await findRunIds(
    conn,
    {
      status: query.status,
      taskId: query.task_id ? Number(query.task_id) : undefined,
      type: query.type,
      scheduleId: query.schedule_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    },
    query.limit + 1,
    query.cursor ? Number(query.cursor) : undefined,
  );
  const rows = await database.db.run.findMany({
    where: { id: { in: ids } },
    include: { task: { select: { type: true, queue: true, scheduleId: true } } },
    orderBy: { id: "desc" },
  });
  return {
    json: cursorPage(rows, query.limit, (r) => ({
      ...runJson(r, viewerOf(principal)),
      type: r.task.type,
      queue: r.task.queue,
      schedule_id: r.task.scheduleId,
    })),
  };
}

/** A run with its task and every run of that task (for switching attempts). */
export async function get({ params, principal }: Input<typeof getRun>): Promise<Output<typeof getRun>> {
  const viewer = viewerOf(principal);
  const { database } = await getQueue();
  const run = await database.db.run.findUnique({
    where: { id: params.run_id },
    include: { task: { include: { runs: { orderBy: { id: "asc" } } } } },
  });
  if (!run) throw new HttpError("not_found", `run ${params.run_id} not found`);
  const { task, ...row } = run;
  return { json: { run: runJson(row, viewer), task: taskJson(task, viewer), runs: task.runs.map((r) => runJson(r, viewer)) } };
}

/** Log lines after `after_seq` (poll with next_after_seq to follow a live run), optionally by level and text. */
export async function logs({ params, query }: Input<typeof runLogs>): Promise<Output<typeof runLogs>> {
  const { database } = await getQueue();
  const page = await logPage(database, params.run_id, query);
  if (!page) throw new HttpError("not_found", `run ${params.run_id} not found`);
  return { json: page };
}

/** The whole log of a run as a text file, streamed in chunks. */
export async function logDownload({ params }: Input<typeof runLogDownload>): Promise<Output<typeof runLogDownload>> {
  const { database, conn } = await getQueue();
  const run = await database.db.run.findUnique({ where: { id: params.run_id } });
  if (!run) throw new HttpError("not_found", `run ${params.run_id} not found`);
  let after = 0;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const lines = await readRunLog(conn, run, { afterSeq: after, limit: DOWNLOAD_CHUNK });
      if (lines.length === 0) return controller.close();
      after = lines[lines.length - 1].seq;
      const text = lines.map((l) => `${l.ts.toISOString()} ${l.level.toUpperCase().padEnd(5)} ${l.message}${l.data ? " " + l.data : ""}\n`).join("");
      controller.enqueue(encoder.encode(text));
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "content-disposition": `attachment; filename="task-${run.taskId}-run-${run.id}-attempt-${run.attempt}.log"`,
    },
  });
}

/** Log lines of a run after `afterSeq`, at or above `level`, containing `q` (stored and rendered: src/queue/runLog.ts); null: no such run. */
export async function logPage(
  database: Database,
  runId: number,
  q: { after_seq: number; limit: number; level?: LogLevel; q?: string; stream?: "stdout" | "stderr" },
) {
  const run = await database.db.run.findUnique({ where: { id: runId } });
  if (!run) return null;
  const lines = await readRunLog(connOf(database.db, database.provider), run, {
    afterSeq: q.after_seq,
    limit: q.limit,
    level: q.level,
    q: q.q,
    stream: q.stream,
  });
  const items = lines.map((l) => ({
    seq: l.seq,
    ts: l.ts.toISOString(),
    level: l.level,
    message: l.message,
    data: l.data === null ? null : parseJson(l.data),
  }));
  // Filtered pages still advance past what was scanned, so polling never re-reads old lines.
  const next = items.length ? items[items.length - 1].seq : q.after_seq;
  return { items, next_after_seq: next, run_finished: run.status !== "running" };
}
