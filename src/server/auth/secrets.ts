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

/** argon2id hash of a password. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

// Verifying against this when the user does not exist keeps the answer time the same, so
// timing does not tell which usernames exist.
let dummy: Promise<string> | null = null;

/** Checks a password against a stored hash (or against a dummy when there is no user). */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  dummy ??= hashPassword(newPassword());
  const h = hash ?? (await dummy);
  try {
    return (await argon2.verify(h, password)) && hash !== null;
  } catch {
    return false;
  }
}
