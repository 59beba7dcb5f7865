/**
 * Trends from the daily roll-up: the days of the range merged over types or queues as asked,
 * with percentiles read from the merged histograms (src/queue/dailyStats.ts). The roll-up is
 * the workers' (src/worker/statsLoop.ts): a request only reads, and says when it last ran —
 * a first round over a million runs in the web server raised its RSS by 250 MB (bench).
 */
import type { getTrends, TrendPoint } from "@/contracts/trends";
import { emptyCell, histPercentile, mergeCell, type StatCell } from "@/queue/dailyStats";
import { readDailyStats, rollUpState } from "@/queue/sql/dailyStats";
import { dayClock, statsTimeZone } from "@/schedule/dayClock";
import { getQueue } from "./context";
import type { Input, Output } from "./route";

/** A cell's figures by the API's names. */
function pointOf(c: StatCell): TrendPoint {
  const o = c.outcomes;
  return {
    runs: c.runs,
    succeeded: o.succeeded ?? 0,
    failed: (o.failed ?? 0) + (o.timed_out ?? 0) + (o.lost ?? 0),
    cancelled: o.cancelled ?? 0,
    requeued: o.requeued ?? 0,
    duration_p50_ms: histPercentile(c.duration, 50),
    duration_p95_ms: histPercentile(c.duration, 95),
    wait_p50_ms: histPercentile(c.wait, 50),
    wait_p95_ms: histPercentile(c.wait, 95),
  };
}

/** Per day of the last `days` days (today included), for a type, a queue or everything. */
export async function trends({ query }: Input<typeof getTrends>): Promise<Output<typeof getTrends>> {
  const { conn } = await getQueue();
  const clock = dayClock();
  const state = await rollUpState(conn);
  const today = clock.dayOf(Date.now());
  const dayList: string[] = [today];
  for (let i = 1; i < query.days; i++) dayList.unshift(clock.dayOf(clock.startOf(dayList[0]) - 1));
  const rows = await readDailyStats(conn, dayList[0], today, { type: query.type, queue: query.queue });
  const byDay = new Map(dayList.map((d) => [d, emptyCell()]));
  const total = emptyCell();
  for (const r of rows) {
    const cell = byDay.get(r.day);
    if (!cell) continue;
    mergeCell(cell, r);
    mergeCell(total, r);
  }
  return {
    json: {
      days: query.days,
      time_zone: statsTimeZone(),
      type: query.type ?? null,
      queue: query.queue ?? null,
      items: dayList.map((day) => ({ day, ...pointOf(byDay.get(day)!) })),
      totals: pointOf(total),
      rolled_at: state.rolledAt?.toISOString() ?? null,
    },
  };
}
