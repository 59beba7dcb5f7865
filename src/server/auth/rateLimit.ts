/**
 * The sign-in limit. Every attempt is reserved before its password is checked: one atomic
 * upsert per counter increments it and returns the new count (the counters are rows of
 * rate_limits, one per key and fixed 15-minute window: src/server/counters.ts). Attempts sent at once therefore each see a different
 * count, and no more of them than the limit are ever checked — reading the count, checking the
 * password and then recording the failure let 33 of 40 simultaneous attempts through a limit of 5.
 *
 * The rules, per window:
 *   - an address with 20 attempts that did not sign in is refused, for every username;
 *   - a username with 5 such attempts is refused from the addresses those attempts came from,
 *     but an address that has not failed for it may still try: anyone could otherwise lock any
 *     account, the admin's included, with five wrong passwords (a stolen-password attacker
 *     then gets one try per fresh address, which the per-address limit bounds too);
 *   - a successful sign-in takes its own attempt back and forgets the username's failures.
 */
import type { Db } from "@/db/client";
import { countDown, countUp, forgetCounters, forgetEndedWindows, windowOf } from "../counters";

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_USER = 5;
export const MAX_FAILURES_PER_IP = 20;

/** The counters of one attempt. */
export interface Attempt {
  keys: { ip: string; user: string; userIp: string };
  windowEnd: Date;
}

/** What reserving an attempt found: 0 to go ahead, else the seconds until the window ends. */
export interface Reservation {
  attempt: Attempt;
  retryAfter: number;
}

/**
 * Reserves an attempt of `username` from `ip` (counting it as a failure until it succeeds) and
 * says whether it may go on to the password check.
 */
export async function reserveAttempt(db: Db, username: string, ip: string, now = Date.now()): Promise<Reservation> {
  const { index: window, end: windowEnd, secondsLeft } = windowOf(LOGIN_WINDOW_MS, now);
  const name = username.slice(0, 64);
  const keys = { ip: `ip:${ip}@${window}`, user: `user:${name}@${window}`, userIp: `user_ip:${name}|${ip}@${window}` };
  const byIp = await countUp(db, keys.ip, 1, windowEnd);
  const byUserIp = await countUp(db, keys.userIp, 1, windowEnd);
  const byUser = await countUp(db, keys.user, 1, windowEnd);
  // This attempt is counted in each: "failed before" means more than one.
  const refused = byIp > MAX_FAILURES_PER_IP || byUserIp > MAX_FAILURES_PER_USER || (byUser > MAX_FAILURES_PER_USER && byUserIp > 1);
  return { attempt: { keys, windowEnd }, retryAfter: refused ? secondsLeft : 0 };
}

/** A successful sign-in: its attempt is taken back from the address, and the username's failures are forgotten. */
export async function attemptSucceeded(db: Db, attempt: Attempt): Promise<void> {
  await countDown(db, attempt.keys.ip, 1);
  await forgetCounters(db, [attempt.keys.user, attempt.keys.userIp]);
}

/** Removes the counters of windows that have ended (a failed sign-in tidies up after itself). */
export async function forgetOldAttempts(db: Db, now = Date.now()): Promise<void> {
  await forgetEndedWindows(db, now);
}
