/**
 * The first admin. With ADMIN_USERNAME and ADMIN_PASSWORD set, that account is created on
 * the first start. Without them, the first start creates `admin` with a random password,
 * prints it once and writes it to .data/admin-password.txt (readable by its owner only).
 * There is no fixed default password anywhere.
 */
import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/db/client";
import { Username } from "@/contracts/users";
import { hashPassword, newPassword } from "./secrets";
import { passwordProblem } from "./passwordPolicy";

export interface BootstrapResult {
  created: boolean;
  username?: string;
  /** Set when a password was generated (print it once). */
  generatedPassword?: string;
  passwordFile?: string;
}

/** Creates the first admin when there is no user yet. */
export async function ensureAdmin(db: Db, env: Record<string, string | undefined>, dataDir: string): Promise<BootstrapResult> {
  if ((await db.user.count()) > 0) return { created: false };
  const username = env.ADMIN_USERNAME?.trim() || "admin";
  if (!Username.safeParse(username).success) throw new Error("ADMIN_USERNAME may hold only letters, digits and _ . @ - (at most 64)");
  const given = env.ADMIN_PASSWORD;
  if (given !== undefined && given.length < 10) throw new Error("ADMIN_PASSWORD must be at least 10 characters long");
  const weak = given !== undefined ? passwordProblem(given, username) : null;
  if (weak) throw new Error(`ADMIN_PASSWORD: ${weak}`);
  const password = given ?? newPassword();
  await db.user.create({ data: { username, passwordHash: await hashPassword(password), role: "admin" } });
  await db.auditLog.create({
    data: { actor: "system", action: "user.create", target: username, details: JSON.stringify({ role: "admin", bootstrap: true }) },
  });
  if (given !== undefined) return { created: true, username };
  fs.mkdirSync(dataDir, { recursive: true });
  const passwordFile = path.join(dataDir, "admin-password.txt");
  fs.writeFileSync(passwordFile, `username: ${username}\npassword: ${password}\n`, { mode: 0o600 });
  fs.chmodSync(passwordFile, 0o600); // in case the file existed with wider permissions
  return { created: true, username, generatedPassword: password, passwordFile };
}
