/**
 * The SQLite files are the owner's alone (src/db/files.ts): a new database gets a 0700 folder
 * and 0600 files, its WAL and shared-memory files included, and a database made world-readable
 * by an older version is tightened when it is opened.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { migrate } from "@/db/migrate";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qtask-files-"));
const mode = (f: string) => fs.statSync(f).mode & 0o777;

describe("SQLite file permissions", () => {
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("creates the folder 0700 and the database, WAL and shared memory 0600", async () => {
    const dir = path.join(tmp, "new", "data");
    const file = path.join(dir, "qtask.db");
    migrate(`file:${file}`);
    const database = await openDatabase(`file:${file}`);
    try {
      await database.db.user.create({ data: { username: "x", passwordHash: "h", role: "viewer" } });
      expect(mode(path.join(tmp, "new"))).toBe(0o700);
      expect(mode(dir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
    } finally {
      await database.close();
    }
  });

  it("tightens the files of a database an older version left readable by everyone", async () => {
    const file = path.join(tmp, "old.db");
    migrate(`file:${file}`);
    const first = await openDatabase(`file:${file}`);
    await first.db.user.create({ data: { username: "y", passwordHash: "h", role: "viewer" } });
    await first.close();
    fs.writeFileSync(`${file}-wal`, "", { flag: "a" });
    for (const f of [file, `${file}-wal`]) fs.chmodSync(f, 0o644);
    const again = await openDatabase(`file:${file}`);
    try {
      expect(await again.db.user.count()).toBe(1);
      for (const f of [file, `${file}-wal`]) expect(mode(f)).toBe(0o600);
    } finally {
      await again.close();
    }
  });
});
