/**
 * Applies the committed migrations of the provider DATABASE_URL selects, with the Prisma
 * CLI (`prisma migrate deploy`, which records what it applied, so running it again is a
 * no-op). Used by the launcher and the test set-up.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { providerOf, sqliteFile } from "./url";
import { secureSqliteFile } from "./files";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs `prisma migrate deploy` for `url`; throws with the CLI's output when it fails. */
export function migrate(url: string): void {
  const provider = providerOf(url);
  // Created by us first, or the CLI would create it readable by everyone (files.ts).
  if (provider === "sqlite") secureSqliteFile(path.resolve(root, sqliteFile(url)));
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const res = spawnSync(process.execPath, [cli, "migrate", "deploy", "--config", `prisma.${provider}.config.ts`], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    encoding: "utf8",
  });
  if (res.status !== 0) {
    throw new Error(`migrating ${provider} database failed:\n${res.stdout}\n${res.stderr}`);
  }
}
