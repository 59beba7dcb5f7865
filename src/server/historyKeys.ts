/** One page of the backtest history's rows (batches and single backtests), found without reading whole batches. */
import type { Prisma } from "@/generated/sqlite/client";
import type { Db } from "@/db/client";

/**
 * The keys of one page of the backtest history, newest first: batches by their newest task,
 * and the single backtests a schedule started (`task-{id}`). It walks down from the cursor
 * one batch at a time, jumping below each batch's first task — a batch is made in one
 * transaction, so its tasks are (nearly) contiguous — which reads a few rows per batch instead
 * of all of a 10,000-task sweep's, or a GROUP BY over every backtest ever run. Batches enqueued
 * at the same moment on PostgreSQL can interleave their ids: whatever else lies in a range
 * jumped over is taken too. The cursor is the newest task id of the page's last row; a batch
 * whose newest task is at or above it was on an earlier page.
 */
export async function historyKeys(db: Db, where: Prisma.TaskWhereInput, limit: number, cursor?: number): Promise<{ keys: string[]; next: string | null }> {
  const found = new Map<string, number>();
  const done = new Set<string>();
  /**
   * Lists batch b unless an earlier page did; returns its first task id and whether nothing
   * else lies between its first and last (three index look-ups and a count of the id range,
   * rather than reading its rows).
   */
  const take = async (b: string): Promise<{ lo: number; alone: boolean }> => {
    done.add(b);
    const [first, last, n] = await Promise.all([
      db.task.findFirst({ where: { batchId: b }, orderBy: { id: "asc" }, select: { id: true } }),
      db.task.findFirst({ where: { batchId: b }, orderBy: { id: "desc" }, select: { id: true } }),
      db.task.count({ where: { batchId: b } }),
    ]);
    const [lo, hi] = [first?.id ?? 0, last?.id ?? 0];
    if (cursor === undefined || hi < cursor) found.set(b, hi);
    return { lo, alone: (await db.task.count({ where: { id: { gte: lo, lte: hi } } })) === n };
  };
  let before = cursor;
  while (found.size <= limit) {
    const next = await db.task.findFirst({
      where: { ...where, ...(before !== undefined ? { id: { lt: before } } : {}) },
      orderBy: { id: "desc" },
      select: { id: true, batchId: true },
    });
    if (!next) break;
    if (next.batchId === null) {
      found.set(`task-${next.id}`, next.id);
      before = next.id;
      continue;
    }
    const t = await take(next.batchId);
    let lo = t.lo;
    for (let from = lo; !t.alone && from < next.id; ) {
      const others = await db.task.findMany({
        where: { ...where, id: { gte: lo, lt: next.id }, OR: [{ batchId: null }, { batchId: { notIn: [...done] } }] },
        select: { id: true, batchId: true },
      });
      if (others.length === 0) break;
      for (const o of others)
        if (o.batchId === null) found.set(`task-${o.id}`, o.id);
        else if (!done.has(o.batchId)) lo = Math.min(lo, (await take(o.batchId)).lo);
      // Another batch reached lower: look again over the wider range (until nothing new turns up).
      if (lo === from) break;
      from = lo;
    }
    before = lo;
  }
  const sorted = [...found.entries()].sort((a, b) => b[1] - a[1]);
  const page = sorted.slice(0, limit);
  return { keys: page.map(([k]) => k), next: sorted.length > limit ? String(page[page.length - 1][1]) : null };
}
