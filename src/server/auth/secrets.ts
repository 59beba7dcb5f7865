/** Random secrets and their stored form. Passwords: argon2id. Session and API tokens: SHA-256 (they are long and random). */
import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";

/** A new random token with a readable prefix, e.g. `qts_…` (session) or `qtk_…` (API). */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** The stored form of a token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new random password for the first admin. */
export function newPassword(): string {
  return randomBytes(18).toString("base64url");
}

/** Password hashes and checks running at once, at most: each takes argon2id's 64 MiB and tens of ms of a core. */
const MAX_PASSWORD_WORK = 4;
/** Checks that may wait for a turn; past this a sign-in is told to come back (429). */
const MAX_PASSWORD_WAITING = 32;
let passwordWork = 0;
const passwordQueue: (() => void)[] = [];

/** Thrown when too many password checks are already running and waiting (the API answers 429). */
export class PasswordWorkBusy extends Error {
  constructor() {
    super("too many sign-ins at once; try again in a moment");
  }
}

/**
 * Runs argon2 work within the bound: at most MAX_PASSWORD_WORK at once, the next ones queued in
 * order, and beyond MAX_PASSWORD_WAITING refused at once, so a flood of sign-in attempts cannot
 * take the server's memory and cores.
 */
async function withPasswordSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (passwordWork >= MAX_PASSWORD_WORK) {
    if (passwordQueue.length >= MAX_PASSWORD_WAITING) throw new PasswordWorkBusy();
    // The holder that finishes hands its slot straight to the first waiting one.
    await new Promise<void>((resolve) => passwordQueue.push(resolve));
  } else passwordWork++;
  try {
    return await fn();
  } finally {
    const next = passwordQueue.shift();
    if (next) next();
    else passwordWork--;
  }
}

/** argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return withPasswordSlot(() => argon2.hash(password, { type: argon2.argon2id }));
}

// Verifying against this when the user does not exist keeps the answer time the same, so
// timing does not tell which usernames exist.
let dummy: Promise<string> | null = null;

/** Checks a password against a stored hash (or against a dummy when there is no user). */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummy ??= argon2.hash(newPassword(), { type: argon2.argon2id });
  const h = hash ?? (await dummy);
  return withPasswordSlot(async () => {
    try {
      return (await argon2.verify(h, password)) && hash !== null;
    } catch {
      return false;
    }
  });
}
