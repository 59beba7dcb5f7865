/** Each column kind draws its value by the stated convention (src/contracts/resultView.ts). */
import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { ResultColumn } from "@/contracts/resultView";
import { ResultCell } from "@/client/tasks/ResultCell";
import { rangeText } from "@/client/tasks/ResultFilters";
import { BUILT_IN_VIEWS } from "@/tasks/views";

vi.mock("next/link", () => ({ default: ({ href, children }: { href: string; children: React.ReactNode }) => <a href={href}>{children}</a> }));

const col = (c: Record<string, unknown>) => ResultColumn.parse({ field: "f", title: { zh: "列", en: "Col" }, ...c });
const draw = (c: Record<string, unknown>, v: unknown, lang: "zh" | "en" = "zh") =>
  render(<ResultCell column={col(c)} value={v} lang={lang} />).container;

describe("ResultCell", () => {
  it("number: declared digits, thousands separated; integers whole without digits; others 4", () => {
    expect(draw({ kind: "number", digits: 2 }, 1234.5678).textContent).toBe("1,234.57");
    expect(draw({ kind: "number" }, 1234567).textContent).toBe("1,234,567");
    expect(draw({ kind: "number" }, 0.123456).textContent).toBe("0.1235");
  });

  it("percent: a fraction ×100 with 2 digits; points as they are; signed colours", () => {
    expect(draw({ kind: "percent" }, 0.123456).textContent).toBe("12.35%");
    expect(draw({ kind: "percent", unit: "points", digits: 1 }, 3.26).textContent).toBe("3.3%");
    const up = draw({ kind: "percent", signed: true }, 0.05).querySelector("span") as HTMLElement;
    const down = draw({ kind: "percent", signed: true }, -0.05).querySelector("span") as HTMLElement;
    expect(up.style.color).toBe("rgb(207, 19, 34)");
    expect(down.style.color).toBe("rgb(56, 158, 13)");
    expect((draw({ kind: "percent" }, 0.05).querySelector("span") as HTMLElement).style.color).toBe("");
  });

  it("money: ¥ with 2 digits; another currency named after the figure", () => {
    expect(draw({ kind: "money" }, 1234567.891).textContent).toBe("¥1,234,567.89");
    expect(draw({ kind: "money", currency: "USD", digits: 0 }, 99.6).textContent).toBe("100 USD");
  });

  it("date: a day as it is; a timestamp to the minute", () => {
    expect(draw({ kind: "date" }, "2024-03-29").textContent).toBe("2024-03-29");
    expect(draw({ kind: "date" }, "2024-03-29T08:05:00.000Z").textContent).toMatch(/2024.03.29.*\d{2}:05/);
  });

  it("tags: array of objects → labelled, coloured tags with their detail; hidden values left out", () => {
    const c = BUILT_IN_VIEWS.signals_batch.columns.find((x) => x.field === "signals")!;
    const signals = [
      { name: "ma_cross", direction: "buy", value: 0.01234567, date: "2024-01-02", note: "" },
      { name: "rsi", direction: "neutral", value: 50, date: "2024-01-02", note: "" },
      { name: "momentum", direction: "sell", value: -0.2, date: "2024-01-02", note: "" },
    ];
    const zh = render(<ResultCell column={c} value={signals} lang="zh" />).container;
    const tags = [...zh.querySelectorAll("[data-testid=result-tag]")];
    expect(tags.map((t) => t.textContent)).toEqual(["均线交叉 买入 0.0123", "动量 卖出 -0.2"]);
    expect(tags[0].className).toContain("ant-tag-red");
    expect(tags[1].className).toContain("ant-tag-green");
    const en = render(<ResultCell column={c} value={signals} lang="en" />).container;
    expect(en.textContent).toContain("MA cross Buy");
    expect(draw({ kind: "tags", colors: { a: "blue" } }, "b").textContent).toBe("b");
    expect(draw({ kind: "tags", colors: { a: "blue" }, hide_others: true }, ["b"]).textContent).toBe("—");
  });

  it("link: a fund to its NAV, tasks and runs by id", () => {
    expect(draw({ kind: "link", link: "fund" }, "000001").querySelector("a")?.getAttribute("href")).toBe("/sniffer?fund=000001");
    const tasks = draw({ kind: "link", link: "task" }, ["4", "5"]).querySelectorAll("a");
    expect([...tasks].map((a) => [a.getAttribute("href"), a.textContent])).toEqual([
      ["/tasks/4", "#4"],
      ["/tasks/5", "#5"],
    ]);
    expect(draw({ kind: "link", link: "run" }, 9).querySelector("a")?.getAttribute("href")).toBe("/tasks/runs/9");
  });

  it("sparkline: a polyline through every point, scaled to the range; an object series by its item field", () => {
    const svg = draw({ kind: "sparkline" }, [1, 3, 2]).querySelector("svg")!;
    const pts = svg.querySelector("polyline")!.getAttribute("points")!.split(" ");
    expect(pts).toHaveLength(3);
    // Highest value at the top (y = 1), lowest at the bottom (y = height - 1 = 21).
    expect(pts[0]).toBe("1.0,21.0");
    expect(pts[1]).toBe("48.0,1.0");
    const objs = draw({ kind: "sparkline", item: { value: "value" } }, [{ value: 1 }, { value: 2 }, { value: 4 }]).querySelector("polyline")!;
    expect(objs.getAttribute("points")!.split(" ")).toHaveLength(3);
    expect(draw({ kind: "sparkline" }, [1]).textContent).toBe("—");
  });

  it("a value that does not fit its kind is shown as it is; null is a dash", () => {
    expect(draw({ kind: "percent" }, "n/a").textContent).toBe("n/a");
    expect(draw({ kind: "number" }, null).textContent).toBe("—");
    expect(draw({ kind: "text" }, { a: 1 }).textContent).toBe('{"a":1}');
  });
});

describe("filter boxes", () => {
  it("a percent range is typed in percent and sent as the stored fraction", () => {
    expect(rangeText(col({ kind: "percent" }), "10", "")).toBe("0.1..");
    expect(rangeText(col({ kind: "percent", unit: "points" }), "", "5")).toBe("..5");
    expect(rangeText(col({ kind: "date" }), "2024-01-01", "2024-02-01")).toBe("2024-01-01..2024-02-01");
    expect(rangeText(col({ kind: "number" }), " ", "")).toBeNull();
  });
});
