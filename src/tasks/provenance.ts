/**
 * What a screen or a backtest saw, so a run can be reproduced and compared: per series its
 * first and last day, its number of points and a hash of everything the figures depend on
 * (dates, unit and accumulated NAV, corporate actions); the code version; and the conventions
 * in force (domain/conventions.ts). Two runs with the same hashes, params and code version give
 * identical figures (tests/integration/domain-tasks.test.ts checks it).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { encodeSeries, ymd, type NavSeries } from "@/domain/series";
import { FIGURE_CONVENTIONS } from "@/domain/conventions";

/** One series as a run saw it. */
export interface SeriesFingerprint {
  code: string;
  first: string | null;
  last: string | null;
  points: number;
  /** sha256 of the stored bytes, first 16 hex digits. */
  hash: string;
}

/** The fingerprint of a series (as cut for the run: an as-of run hashes only what it saw). */
export function fingerprint(s: NavSeries): SeriesFingerprint {
  const e = encodeSeries(s);
  const h = createHash("sha256");
  for (const part of [e.dates, e.nav, e.accNav, e.actions]) {
    h.update(String(part.byteLength));
    h.update(part);
  }
  const n = s.dates.length;
  return { code: s.code, first: n ? ymd(s.dates[0]) : null, last: n ? ymd(s.dates[n - 1]) : null, points: n, hash: h.digest("hex").slice(0, 16) };
}

/** One hash over many fingerprints (order-independent: sorted by code). */
export function combinedHash(prints: readonly SeriesFingerprint[]): string {
  const h = createHash("sha256");
  for (const p of [...prints].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))) h.update(`${p.code}:${p.hash};`);
  return h.digest("hex").slice(0, 16);
}

/** The code that computed a run. */
export interface CodeVersion {
  version: string;
  /** The git commit, from QTASK_COMMIT or the checkout's .git; null when neither exists. */
  commit: string | null;
}

let cached: CodeVersion | null = null;

function gitCommit(root: string): string | null {
  try {
    const head = fs.readFileSync(path.join(root, ".git", "HEAD"), "utf8").trim();
    if (!head.startsWith("ref: ")) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const ref = head.slice(5);
    const loose = path.join(root, ".git", ref);
    if (fs.existsSync(loose)) return fs.readFileSync(loose, "utf8").trim();
    const packed = fs.readFileSync(path.join(root, ".git", "packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
    return line ? line.slice(0, 40) : null;
  } catch {
    return null;
  }
}

/** The package version and git commit of this process (read once). */
export function codeVersion(): CodeVersion {
  if (cached) return cached;
  const root = process.cwd();
  let version = "unknown";
  try {
    version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    // not started from the project folder: the version stays unknown, the commit may still be set
  }
  cached = { version, commit: process.env.QTASK_COMMIT || gitCommit(root) };
  return cached;
}

/** The record a run keeps of what it saw and how it computed. */
export function provenance(extra: Record<string, unknown>): Record<string, unknown> {
  return { code: codeVersion(), conventions: FIGURE_CONVENTIONS, ...extra };
}
