/**
 * What the research pages compute from a whole batch (a sweep's runs, a history row) is kept
 * per batch under its stamp — per status, the number of its tasks, the sum of their progress
 * and their last finish — so a finished 10,000-run sweep is read once rather than on every poll
 * (`npm run bench -- --only research`: the reading is ~600 ms of the page's time at 10,000
 * runs). Anything that changes a batch's figures (a task finishing, making progress, retried,
 * cancelled or deleted) changes its stamp, and the next request reads it again.
 */
import type { Db } from "@/db/client";

/** The stamp of each batch that has tasks (absent: no task has that batch id). */
export async function batchStamps(db: Db, batchIds: string[]): Promise<Map<string, string>> {
  if (batchIds.length === 0) return new Map();
  const rows = await db.task.groupBy({
    by: ["batchId", "status"],
    where: { batchId: { in: batchIds } },
    _count: { _all: true },
    _sum: { progress: true },
    _max: { finishedAt: true },
    orderBy: [{ batchId: "asc" }, { status: "asc" }],
  });
  const out = new Map<string, string>();
  for (const r of rows) {
    const part = `${r.status}:${r._count._all}:${r._sum.progress ?? 0}:${r._max.finishedAt?.getTime() ?? ""}`;
    out.set(r.batchId as string, out.has(r.batchId as string) ? `${out.get(r.batchId as string)}|${part}` : part);
  }
  return out;
}

/** A few values by key, each good for one stamp; the least recently used goes first when full. */
export class StampedCache<V> {
  private readonly entries = new Map<string, { stamp: string; value: V }>();
  constructor(private readonly capacity: number) {}

  /** The value kept for `key` under exactly this stamp. */
  get(key: string, stamp: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.stamp !== stamp) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, stamp: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { stamp, value });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
