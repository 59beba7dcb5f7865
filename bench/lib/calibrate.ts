/**
 * The machine's speed at one moment: milliseconds for a fixed single-thread workload (SHA-256
 * and integer arithmetic), the best of three. These machines' speed changes up to threefold
 * from hour to hour; printed at the start and the end of a run (lower is faster), it tells
 * whether two tables of figures were measured on a comparable machine.
 */
import { createHash } from "node:crypto";

/** Milliseconds for the fixed workload on this machine now, the best of three rounds. */
export function calibrationMs(): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    let h = Buffer.alloc(32);
    for (let i = 0; i < 100_000; i++) h = createHash("sha256").update(h).digest();
    let x = 0;
    for (let i = 0; i < 10_000_000; i++) x = (x + (i % 7)) | 0;
    // Used, so the loop is not optimised away.
    if (x === -1 && h.length === 0) console.log(x);
    best = Math.min(best, performance.now() - t);
  }
  return Math.round(best);
}
