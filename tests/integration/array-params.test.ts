/**
 * The engine's array parameters (a close batch's results and log lines, a bulk enqueue's
 * columns) reach PostgreSQL in text form built by the native driver itself (pgArray in
 * src/queue/sql/native.ts), not by pg's serialiser: every element must come back exactly
 * as it went in, quotes, backslashes, braces, commas, empty strings and the word NULL included.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raw, sql } from "@/db/dialect";
import { connOf, query, type Conn } from "@/queue/sql/executor";
import { freshDb, providers, type TestDb } from "./support/db";

const pg = providers().find((p) => p.kind === "postgres");

describe.skipIf(!pg?.available)("array parameters on postgres", () => {
  let t: TestDb;
  let conn: Conn;
  beforeAll(async () => {
    t = await freshDb("postgres");
    conn = connOf(t.database.db, t.database.provider);
    expect(conn.native).toBeDefined();
  });
  afterAll(async () => {
    await t.drop();
  });

  /** The elements of `values` as PostgreSQL read them, in order. */
  async function roundTrip(values: unknown[], type: string): Promise<unknown[]> {
    const rows = await query<{ v: unknown }>(conn, sql`SELECT v FROM unnest(${values}::${raw(`${type}[]`)}) WITH ORDINALITY AS u (v, i) ORDER BY i`);
    return rows.map((r) => r.v);
  }

  it("keeps every text element, nulls and awkward characters included", async () => {
    const texts = [
      "plain",
      "",
      "NULL",
      null,
      'say "hi"',
      "back\\slash",
      '\\"',
      "a,b",
      "{braces}",
      "  spaces  ",
      "line\nbreak\ttab",
      "中文 日志",
      "emoji 🚀",
      '{"json": [1, "two"]}',
    ];
    expect(await roundTrip(texts, "text")).toEqual(texts);
  });

  it("keeps integers, negative ones and empty arrays", async () => {
    expect(await roundTrip([1, -2, 0, 2_147_483_647, null], "int")).toEqual([1, -2, 0, 2_147_483_647, null]);
    expect(await roundTrip([], "int")).toEqual([]);
  });

  it("keeps times as UTC", async () => {
    const at = new Date("2026-03-01T23:59:58.123Z");
    expect(await roundTrip([at, null], "timestamp(3)")).toEqual([at, null]);
  });

  it("keeps booleans", async () => {
    expect(await roundTrip([true, false, null], "boolean")).toEqual([true, false, null]);
  });
});
