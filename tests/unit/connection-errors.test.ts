/**
 * Which errors count as a lost database connection (and so are worth repeating an idempotent
 * run write for), and the bounded retry around them.
 */
import { describe, expect, it } from "vitest";
import { isConnectionError, retryOnConnectionError } from "@/queue/sql/executor";

/** An error shaped like pg's or Prisma's. */
function err(message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), extra);
}

describe("isConnectionError", () => {
  it("recognises lost and unreachable connections as pg and Prisma report them", () => {
    for (const e of [
      err("terminating connection due to administrator command", { code: "57P01" }),
      err("Client has encountered a connection error and is not queryable"),
      err("Connection terminated unexpectedly"),
      err("connect ECONNREFUSED 127.0.0.1:5432", { code: "ECONNREFUSED" }),
      err("Raw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`", { code: "P2010" }),
      err("Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:5999`", {
        code: "P2010",
        meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } },
      }),
    ]) {
      expect(isConnectionError(e), e.message).toBe(true);
    }
  });

  it("leaves statement errors alone (they would fail again)", () => {
    for (const e of [
      err('duplicate key value violates unique constraint "tasks_pkey"', { code: "23505" }),
      err("SQLITE_BUSY: database is locked", { code: "SQLITE_BUSY" }),
      err('syntax error at or near "SELEC"', { code: "42601" }),
      "terminating connection", // not an Error
      null,
    ]) {
      expect(isConnectionError(e)).toBe(false);
    }
  });
});

describe("retryOnConnectionError", () => {
  it("repeats on a lost connection until it works", async () => {
    let calls = 0;
    const value = await retryOnConnectionError(
      async () => {
        if (++calls < 3) throw err("Connection terminated unexpectedly");
        return "ok";
      },
      { baseMs: 1 },
    );
    expect([value, calls]).toEqual(["ok", 3]);
  });

  it("gives up after its retries, and never repeats other errors", async () => {
    let calls = 0;
    const lost = retryOnConnectionError(
      async () => {
        calls++;
        throw err("terminating connection due to administrator command", { code: "57P01" });
      },
      { retries: 2, baseMs: 1 },
    );
    await expect(lost).rejects.toThrow(/terminating connection/);
    expect(calls).toBe(3);

    calls = 0;
    const bad = retryOnConnectionError(async () => {
      calls++;
      throw err("duplicate key", { code: "23505" });
    });
    await expect(bad).rejects.toThrow(/duplicate key/);
    expect(calls).toBe(1);
  });
});
