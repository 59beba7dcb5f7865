/**
 * The SQLite database is everything qtask knows — tasks, results, users' password hashes,
 * session and token digests — so its files are the owner's alone: folders qtask creates for it
 * are 0700 and the database file 0600. The file is created (empty, which SQLite takes as a new
 * database) before the Prisma CLI or SQLite would create it with the umask's 0644; SQLite
 * creates its -wal, -shm and -journal files with the database file's mode, and existing ones
 * are tightened here too, for databases made by older versions.
 */
import fs from "node:fs";
import path from "node:path";

/** Owner read/write only, for the database and its side files. */
export const DB_FILE_MODE = 0o600;
/** Owner only, for folders that hold a database. */
export const DB_DIR_MODE = 0o700;

/** Creates `file`'s folder (0700) and the file itself (0600) when missing; sets 0600 on it and its side files. */
export function secureSqliteFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: DB_DIR_MODE });
  fs.closeSync(fs.openSync(file, "a", DB_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    try {
      fs.chmodSync(f, DB_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}
