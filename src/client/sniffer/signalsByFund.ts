/**
 * Merging pages of signal results into one map by fund code. Pages may arrive in any order,
 * twice, or empty (the task is still writing); merging is by key, so the result only depends
 * on which rows have been seen, and an unchanged map is returned as the same object (no
 * re-render).
 */

import type { z } from "zod";
import type { SignalJson } from "@/contracts/signals";

/** One signal of one fund, as the API returns it. */
export type FundSignal = z.infer<typeof SignalJson>;

export type SignalsByFund = Readonly<Record<string, readonly FundSignal[]>>;

/** Adds the items of one result page. */
export function mergeSignalPage(prev: SignalsByFund, items: readonly { fund_code: string; signals: readonly FundSignal[] }[]): SignalsByFund {
  let next: Record<string, readonly FundSignal[]> | null = null;
  for (const item of items) {
    const old = prev[item.fund_code];
    if (old && sameSignals(old, item.signals)) continue;
    next ??= { ...prev };
    next[item.fund_code] = item.signals;
  }
  return next ?? prev;
}

function sameSignals(a: readonly FundSignal[], b: readonly FundSignal[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.name !== y.name || x.direction !== y.direction || x.date !== y.date || x.value !== y.value) return false;
  }
  return true;
}
