/**
 * Which new passwords are refused, beyond the 10-character minimum of the request schema, after
 * NIST SP 800-63B (5.1.1.2): a password found in a list of commonly used ones (the 49,233 of
 * @zxcvbn-ts/language-common, compared ignoring case), the username itself (ignoring case),
 * and passwords made of repeated or sequential characters (`aaaaaaaaaa`, `ababababab`,
 * `abcdefghij`, `9876543210`), which no list holds in every length. The checks are for
 * people choosing a password; they never run on sign-in.
 */
import { dictionary } from "@zxcvbn-ts/language-common";

let common: Set<string> | null = null;

/** The common-password list, lower-cased, built on first use (8 ms here). */
function commonPasswords(): Set<string> {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common;
}

/** True when every step between neighbouring characters is the same +1 or −1 (abcd…, 4321…). */
function isSequence(s: string): boolean {
  const step = s.charCodeAt(1) - s.charCodeAt(0);
  if (step !== 1 && step !== -1) return false;
  for (let i = 2; i < s.length; i++) if (s.charCodeAt(i) - s.charCodeAt(i - 1) !== step) return false;
  return true;
}

/** Why `password` may not be chosen by `username`, or null when it may. */
export function passwordProblem(password: string, username: string): string | null {
  const lower = password.toLowerCase();
  // Said in both languages, like the sign-in errors: the users page shows the message as it comes.
  if (lower === username.trim().toLowerCase()) return "密码不能与用户名相同 (the password must not be the username)";
  if (commonPasswords().has(lower)) return "这是常见密码，请换一个 (this password is on a list of commonly used passwords; choose another)";
  if (new Set(lower).size < 4) return "密码重复字符过多，请换一个 (the password repeats too few characters; choose another)";
  if (isSequence(lower)) return "密码是连续字符，请换一个 (the password is a sequence of characters; choose another)";
  return null;
}

/** The size of the common-password list (for the README and its test). */
export function commonPasswordCount(): number {
  return commonPasswords().size;
}
