/** Small helpers shared by the domain task types. */
import { z } from "zod";

/** A fund or instrument code: kept a string ("000001" is not 1). */
export const FundCode = z.string().regex(/^[0-9A-Za-z.]{1,20}$/, "a fund code such as 000001");

/**
 * Runs `fn` over `items` in chunks of `size`, with as many chunks in flight as the compute
 * pool can use (the pool queues the rest), stopping at the first error or when aborted.
 */
export async function forEachChunk<T>(items: T[], size: number, signal: AbortSignal, fn: (chunk: T[]) => Promise<void>, parallel = 4): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      signal.throwIfAborted();
      const start = next;
      next += size;
      await fn(items.slice(start, start + size));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.ceil(items.length / size)) }, lane));
}
