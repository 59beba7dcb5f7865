/** Backfills: a schedule's task type run over a date range, one task per trading day, as one batch. */
import { randomUUID } from "node:crypto";
import type { Schedule, ScheduleBackfill } from "@/generated/sqlite/client";
import type { BackfillJson } from "@/contracts/backfills";
import type { Db } from "@/db/client";
import { unavailableReason } from "@/queue/registry";
import { enqueueMany } from "@/queue/enqueue";
import { shanghaiToday, tradingDaysBetween } from "@/domain/calendar";
import { taskOfSchedule } from "@/schedule/timing";
import type { Conn } from "@/queue/sql/executor";
import { registry } from "../context";
import { HttpError } from "../errors";

/** Most dates one backfill may enqueue (about two years of trading days). */
export const MAX_BACKFILL_DATES = 500;

/**
 * Enqueues one task per trading day from `from` to `to` with the day in the type's as-of field,
 * as one batch tied to the schedule. 409 when the type has no as-of date or its feed has no URL;
 * 400 for ranges in the future, without trading days, or too long.
 */
export async function startBackfill(
  db: Db,
  conn: Conn,
  s: Schedule,
  from: string,
  to: string,
  createdBy: string | null,
  /** Runs the enqueue of `n` tasks (the caller's quota, src/server/quota.ts). */
  around: <T>(n: number, make: () => Promise<T>) => Promise<T> = (_n, make) => make(),
): Promise<BackfillJson> {
  const def = registry.get(s.taskType);
  if (!def?.asOfField) throw new HttpError("conflict", `${s.taskType} tasks cannot be backfilled: the task type has no as-of date`);
  const payload = JSON.parse(s.payload) as Record<string, unknown>;
  const blocked = unavailableReason(registry, s.taskType, payload);
  if (blocked) throw new HttpError("conflict", blocked);
  const today = shanghaiToday();
  if (to > today)
    throw new HttpError("invalid_input", `to (${to}) is after today (${today})`, { issues: [{ path: "to", message: "in the future" }] });
  const dates = tradingDaysBetween(from, to, MAX_BACKFILL_DATES + 1);
  if (dates.length === 0)
    throw new HttpError("invalid_input", `no trading days from ${from} to ${to}`, { issues: [{ path: "from", message: "no trading days" }] });
  if (dates.length > MAX_BACKFILL_DATES)
    throw new HttpError("invalid_input", `more than ${MAX_BACKFILL_DATES} trading days; split the range`, {
      issues: [{ path: "to", message: "range too long" }],
    });
  const batchId = `backfill-${s.id}-${randomUUID().slice(0, 8)}`;
  const row = await db.scheduleBackfill.create({ data: { scheduleId: s.id, batchId, fromDate: from, toDate: to, createdBy } });
  try {
    await around(dates.length, () =>
      enqueueMany(
        conn,
        registry,
        dates.map((date) => taskOfSchedule(s, { [def.asOfField as string]: date })),
        { batchId },
      ),
    );
  } catch (err) {
    await db.scheduleBackfill.delete({ where: { id: row.id } });
    throw err;
  }
  const [json] = await backfillsJson(db, s, [row]);
  return json;
}

/** Backfills as JSON with each date's task status (tasks deleted by retention drop out of the grid). */
export async function backfillsJson(db: Db, s: Schedule, rows: ScheduleBackfill[]): Promise<BackfillJson[]> {
  const field = registry.get(s.taskType)?.asOfField ?? "date";
  const tasks = await db.task.findMany({
    where: { batchId: { in: rows.map((r) => r.batchId) } },
    select: { id: true, batchId: true, status: true, payload: true, runId: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => {
    const mine = tasks.filter((t) => t.batchId === r.batchId);
    const counts: Record<string, number> = {};
    for (const t of mine) counts[t.status] = (counts[t.status] ?? 0) + 1;
    return {
      id: String(r.id),
      schedule_id: String(r.scheduleId),
      batch_id: r.batchId,
      from: r.fromDate,
      to: r.toDate,
      created_by: r.createdBy,
      created_at: r.createdAt.toISOString(),
      counts,
      dates: mine.map((t) => ({
        date: String((JSON.parse(t.payload) as Record<string, unknown>)[field] ?? ""),
        task_id: String(t.id),
        status: t.status,
        run_id: t.runId === null ? null : String(t.runId),
      })),
    };
  });
}
