import { describe, expect, it } from "vitest";
import os from "node:os";
import { claimBatchFor, loadConfig, parseQueues } from "@/queue/config";

describe("queue configuration", () => {
  it("has defaults for everything", () => {
    const c = loadConfig({});
    expect(c.concurrency).toBe(10);
    expect(c.queues).toEqual([
      { name: "crawl", limit: null },
      { name: "compute", limit: null },
      { name: "default", limit: null },
      { name: "groups", limit: 2 },
      { name: "scripts", limit: 4 },
    ]);
    expect(c.jobNum).toBe(os.availableParallelism());
    expect(c.leaseMs).toBe(30_000);
    expect(c.heartbeatMs).toBe(2_000);
    expect(c.graceMs).toBe(10_000);
  });

  it("claims 1000 per round trip on PostgreSQL and 200 on SQLite unless QTASK_CLAIM_BATCH says otherwise", () => {
    expect(claimBatchFor(loadConfig({}), "postgres")).toBe(1000);
    expect(claimBatchFor(loadConfig({}), "sqlite")).toBe(200);
    const set = loadConfig({ QTASK_CLAIM_BATCH: "50" });
    expect([claimBatchFor(set, "postgres"), claimBatchFor(set, "sqlite")]).toEqual([50, 50]);
    expect(() => loadConfig({ QTASK_CLAIM_BATCH: "1001" })).toThrow(/QTASK_CLAIM_BATCH/);
  });

  it("takes environment overrides", () => {
    const c = loadConfig({
      QTASK_CONCURRENCY: "50",
      QTASK_QUEUES: "crawl:2, default",
      JOB_NUM: "3",
      QTASK_LEASE_MS: "5000",
      QTASK_HEARTBEAT_MS: "1000",
    });
    expect(c.concurrency).toBe(50);
    expect(c.queues).toEqual([
      { name: "crawl", limit: 2 },
      { name: "default", limit: null },
    ]);
    expect(c.jobNum).toBe(3);
    expect(c.leaseMs).toBe(5000);
  });

  it("ignores empty variables", () => {
    expect(loadConfig({ QTASK_CONCURRENCY: "" }).concurrency).toBe(10);
  });

  it("rejects bad values with every problem named", () => {
    expect(() => loadConfig({ QTASK_CONCURRENCY: "0", JOB_NUM: "x" })).toThrow(/QTASK_CONCURRENCY[\s\S]*JOB_NUM/);
    expect(() => loadConfig({ QTASK_LEASE_MS: "2000", QTASK_HEARTBEAT_MS: "1500" })).toThrow(/at most half/);
    // Waiting group parents must never be able to take every slot.
    expect(() => loadConfig({ QTASK_QUEUES: "default,groups" })).toThrow(/groups queue needs a limit/);
    expect(() => loadConfig({ QTASK_QUEUES: "default,groups:4", QTASK_CONCURRENCY: "4" })).toThrow(/groups queue needs a limit/);
  });

  it("parses queue lists and rejects bad ones", () => {
    expect(parseQueues("a:1,b")).toEqual([
      { name: "a", limit: 1 },
      { name: "b", limit: null },
    ]);
    expect(() => parseQueues("A")).toThrow(/invalid queue name/);
    expect(() => parseQueues("a,a")).toThrow(/twice/);
    expect(() => parseQueues("a:0")).toThrow(/invalid limit/);
    expect(() => parseQueues(" , ")).toThrow(/names no queue/);
  });
});
