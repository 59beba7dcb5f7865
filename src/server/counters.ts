/**
 * Fixed-window counters in the database (table rate_limits), shared by every rate limit: the
 * sign-in limit (auth/rateLimit.ts) and the enqueue quota (quota.ts). Kept in the database so
 * that restarts and several web servers share them. A count goes up with one upsert (INSERT …
 * ON CONFLICT DO UPDATE … RETURNING on both databases) that returns the new total, so two
 * requests can never read the same count.
 */
import type { Db } from "@/db/client";

/** Adds `n` to the counter `key` (created with window end `windowEnd`) and returns the new total. */
export async function countUp(db: Db, key: string, n: number, windowEnd: Date): Promise<number> {
  const row = await db.rateLimit.upsert({
    where: { key },
    create: { key, hits: n, windowEnd },
    update: { hits: { increment: n } },
    select: { hits: true },
  });
  return row.hits;
}

/** Takes `n` back from the counter `key` (what was counted for work that did not happen). */
export async function countDown(db: Db, key: string, n: number): Promise<void> {
  await db.rateLimit.updateMany({ where: { key }, data: { hits: { decrement: n } } });
}

/** Removes counters. */
export async function forgetCounters(db: Db, keys: string[]): Promise<void> {
  await db.rateLimit.deleteMany({ where: { key: { in: keys } } });
}

/** Removes the counters of windows that have ended. */
export async function forgetEndedWindows(db: Db, now = Date.now()): Promise<void> {
  await db.rateLimit.deleteMany({ where: { windowEnd: { lt: new Date(now) } } });
}

/** The fixed window of length `ms` that `now` falls in: its number (for keys) and its end. */
export function windowOf(ms: number, now = Date.now()): { index: number; end: Date; secondsLeft: number } {
  const index = Math.floor(now / ms);
  const end = new Date((index + 1) * ms);
  return { index, end, secondsLeft: Math.max(1, Math.ceil((end.getTime() - now) / 1000)) };
}
