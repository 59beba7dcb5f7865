/** Progress lines of the benchmark: "[bench 12.3s] message". */
const t0 = Date.now();

export function say(message: string): void {
  console.log(`[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}`);
}

/** Progress that rewrites its own line on a terminal (one line per update otherwise). */
export function progress(message: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K[bench ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${message}`);
  else say(message);
}

/** Ends a progress line on a terminal. */
export function progressDone(): void {
  if (process.stdout.isTTY) process.stdout.write("\n");
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitUntil<T>(fn: () => Promise<T> | T, opts: { timeoutMs: number; everyMs?: number; what: string }): Promise<NonNullable<T>> {
  const until = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${opts.timeoutMs / 1000} s waiting for ${opts.what}`);
    await sleep(opts.everyMs ?? 50);
  }
}
