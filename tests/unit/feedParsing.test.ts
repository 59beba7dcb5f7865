import { describe, expect, it } from "vitest";
import { z } from "zod";
import { TaskFailPermanently, unavailableReason } from "@/queue/registry";
import { registry } from "@/tasks";
import { feedNumber, parseTable, validateRows } from "@/tasks/http";
import { FeedPayload, feedUrl, realtimeQuotesSync } from "@/tasks/feeds";

describe("feedUrl", () => {
  it("replaces {date}, else appends date= only when the payload named a day", () => {
    expect(feedUrl("http://h/q/{date}.json", "2024-05-06", false)).toBe("http://h/q/2024-05-06.json");
    expect(feedUrl("http://h/q?d={date}&x={date}", "2024-05-06", true)).toBe("http://h/q?d=2024-05-06&x=2024-05-06");
    expect(feedUrl("http://h/q.json", "2024-05-06", true)).toBe("http://h/q.json?date=2024-05-06");
    expect(feedUrl("http://h/q.json?key=k", "2024-05-06", true)).toBe("http://h/q.json?key=k&date=2024-05-06");
    expect(feedUrl("http://h/q.json", "2024-05-06", false)).toBe("http://h/q.json");
  });
});

describe("parseTable", () => {
  it("reads a JSON array, {items}, and sniffs JSON served as text", () => {
    expect(parseTable('[{"code":"000001","price":1}]', "application/json")).toEqual([{ code: "000001", price: 1 }]);
    expect(parseTable('{"items":[{"code":"000001"}]}', "text/plain")).toEqual([{ code: "000001" }]);
  });

  it("reads CSV with codes kept as strings, headers trimmed and lower-cased, blanks dropped", () => {
    const rows = parseTable("\uFEFFCode, price ,volume\n000001,10.5,\n600519.SH,1700,100\n", "text/csv");
    expect(rows).toEqual([
      { code: "000001", price: "10.5" },
      { code: "600519.SH", price: "1700", volume: "100" },
    ]);
  });

  it("drops JSON nulls, refuses what is not a table", () => {
    expect(parseTable('[{"code":"1","volume":null}]', null)).toEqual([{ code: "1" }]);
    expect(() => parseTable('{"rows":[]}', "application/json")).toThrow(TaskFailPermanently);
    expect(() => parseTable("[1, 2]", "application/json")).toThrow(/row 1: expected an object/);
    expect(() => parseTable("[{", "application/json")).toThrow(/not valid JSON/);
    expect(() => parseTable('a,b\n"x,1\n', "text/csv")).toThrow(/not valid CSV/);
  });
});

describe("validateRows", () => {
  const Row = z.object({ code: z.string(), price: feedNumber(z.number().nonnegative()), volume: feedNumber().optional() });

  it("converts numeric strings and keeps optional fields optional", () => {
    expect(
      validateRows(
        [
          { code: "000001", price: "10.5" },
          { code: "2", price: 3, volume: "-1e3" },
        ],
        Row,
      ),
    ).toEqual([
      { code: "000001", price: 10.5 },
      { code: "2", price: 3, volume: -1000 },
    ]);
  });

  it("fails permanently naming the bad rows (counted from 1) and the fields", () => {
    const run = () => validateRows([{ code: "a", price: 1 }, { code: "b" }, { code: "c", price: "abc" }, { code: "d", price: -1 }], Row);
    expect(run).toThrow(TaskFailPermanently);
    expect(run).toThrow(/3 of 4 rows invalid; row 2: price: .*; row 3: price: .*received string.*; row 4: price: /);
  });
});

describe("feed task types", () => {
  it("declare their feed variable and as-of field, and a strict payload", () => {
    expect(realtimeQuotesSync).toMatchObject({ queue: "crawl", category: "data_sync", mode: "fast", asOfField: "date" });
    // Unavailable (its schedules stay disabled, saying why) until the variable or a payload url is set.
    const saved = process.env.QTASK_QUOTES_URL;
    delete process.env.QTASK_QUOTES_URL;
    try {
      expect(unavailableReason(registry, "realtime_quotes_sync", {})).toMatch(/set QTASK_QUOTES_URL/);
      expect(unavailableReason(registry, "realtime_quotes_sync", { url: "http://127.0.0.1:9/q" })).toBeNull();
      const group = { mode: "sequence", tasks: [{ type: "noop" }, { type: "realtime_quotes_sync" }] };
      expect(unavailableReason(registry, "group", group)).toMatch(/^realtime_quotes_sync: no feed URL/);
      expect(unavailableReason(registry, "fund_nav_sync", { source: "file", path: "x.csv" })).toBeNull();
      process.env.QTASK_QUOTES_URL = "http://127.0.0.1:9/q";
      expect(unavailableReason(registry, "realtime_quotes_sync", {})).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.QTASK_QUOTES_URL;
      else process.env.QTASK_QUOTES_URL = saved;
    }
    expect(FeedPayload.parse({})).toEqual({ retries: 3 });
    expect(FeedPayload.safeParse({ url: "ftp://x/y" }).success).toBe(false);
    expect(FeedPayload.safeParse({ date: "2024-02-30" }).success).toBe(false);
    expect(FeedPayload.safeParse({ codes: ["000001"], extra: 1 }).success).toBe(false);
  });
});
