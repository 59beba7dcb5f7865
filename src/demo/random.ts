/**
 * Seeded randomness for the demo data: every fund is deterministic given (seed, its position),
 * never Math.random.
 */

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes two integers into a 32-bit seed (so fund i's stream does not depend on the count). */
export function mix(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul((b + 0x632be5ab) >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded random stream with the draws the simulation needs. */
export class Rng {
  private readonly u: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.u = mulberry32(seed);
  }
  next(): number {
    return this.u();
  }
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  int(n: number): number {
    return Math.floor(this.u() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.u() * total;
    for (const [v, w] of items) if ((x -= w) < 0) return v;
    return items[items.length - 1][0];
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u1 = this.u();
    while (u1 <= 1e-300) u1 = this.u();
    const r = Math.sqrt(-2 * Math.log(u1));
    const th = 2 * Math.PI * this.u();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }
  /** Student-t with 5 degrees of freedom, scaled to unit variance (fat tails). */
  t5(): number {
    const z = this.normal();
    const g = this.normal();
    // χ²(5) = χ²(4) + χ²(1), and χ²(4) = −2 ln(u1 u2): one logarithm instead of four normals.
    const chi = -2 * Math.log((1 - this.u()) * (1 - this.u())) + g * g;
    // Var(t_ν) = ν/(ν−2): scale by sqrt((ν−2)/ν) = sqrt(3/5).
    return (z / Math.sqrt(chi / 5)) * 0.7745966692414834;
  }
}
