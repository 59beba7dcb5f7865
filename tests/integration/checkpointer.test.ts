/**
 * The worker's WAL checkpointer thread (SQLite): it copies what a writer commits into the
 * database file without the writer's connection ever checkpointing.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "@/worker/checkpointer";
import { waitFor } from "./support/db";

describe("WAL checkpointer", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtask-ckpt-"));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("checkpoints a writer's WAL from its thread, and stops cleanly", async () => {
    const file = path.join(dir, "db.sqlite");
    const writer = new Database(file);
    writer.pragma("journal_mode = WAL");
    // The writer never checkpoints by itself: whatever reaches the database file is the thread's work.
    writer.pragma("wal_autocheckpoint = 0");
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const insert = writer.prepare("INSERT INTO t (v) VALUES (?)");
    for (let i = 0; i < 200; i++) writer.transaction(() => insert.run("x".repeat(4000)))();
    const sizeBefore = fs.statSync(file).size;
    const checkpointer = startCheckpointer(file, 20);
    try {
      // Only a checkpoint writes to the database file itself: the rows have arrived there.
      await waitFor(() => fs.statSync(file).size >= sizeBefore + 200 * 4000, 10_000, "the WAL checkpointed into the database file");
    } finally {
      await checkpointer.stop();
      writer.close();
    }
    const reader = new Database(file, { readonly: true });
    expect((reader.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(200);
    reader.close();
  });
});
