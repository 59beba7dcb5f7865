"use client";
/**
 * The filter box of one result column, by its kind: a range (number, percent, money, date),
 * a choice of values (tags), or a piece of text (text, link). It edits the filter's text as the
 * results query carries it (`filter.<field>=…`, see src/contracts/resultView.ts): a percent of
 * a fraction column is typed in percent and sent as the fraction.
 */
import { useState } from "react";
import { Button, Checkbox, Input, InputNumber, Space } from "antd";
import type { ResultColumn } from "@/contracts/resultView";
import { useT } from "../i18n";

/** The factor between what is typed and what is stored. */
function scaleOf(c: ResultColumn): number {
  return c.kind === "percent" && c.unit !== "points" ? 100 : 1;
}

/** "min..max" → the two sides as typed (percent ×100), for the box's fields. */
function sidesOf(c: ResultColumn, text: string | undefined): [string, string] {
  if (!text) return ["", ""];
  const at = text.indexOf("..");
  const [a, b] = at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 2)];
  const shown = (s: string) => (s === "" || c.kind === "date" ? s : String(Math.round(Number(s) * scaleOf(c) * 1e8) / 1e8));
  return [shown(a), shown(b)];
}

/** The filter's text from the two sides as typed, or null when both are empty. */
export function rangeText(c: ResultColumn, min: string, max: string): string | null {
  const stored = (s: string) => (s.trim() === "" || c.kind === "date" ? s.trim() : String(Number(s) / scaleOf(c)));
  if (min.trim() === "" && max.trim() === "") return null;
  return `${stored(min)}..${stored(max)}`;
}

/** The drop-down of one column's filter; `onChange(null)` clears it. */
export function ResultFilterBox({
  column: c,
  value,
  lang,
  onChange,
}: {
  column: ResultColumn;
  value: string | undefined;
  lang: "zh" | "en";
  onChange: (text: string | null) => void;
}) {
  const t = useT();
  const [sides, setSides] = useState<[string, string]>(() => sidesOf(c, value));
  const [picked, setPicked] = useState<string[]>(() => (value ? value.split(",") : []));
  const [text, setText] = useState(value ?? "");
  const buttons = (apply: () => void) => (
    <Space style={{ marginTop: 8 }}>
      <Button size="small" type="primary" onClick={apply} data-testid="filter-apply">
        {t.run.filterApply}
      </Button>
      <Button size="small" onClick={() => onChange(null)}>
        {t.run.filterReset}
      </Button>
    </Space>
  );
  let body: React.ReactNode;
  let apply: () => void;
  if (c.kind === "tags") {
    const options = Object.keys(c.colors ?? {}).map((v) => ({ value: v, label: c.labels?.[v]?.[lang] ?? v }));
    body = options.length ? (
      <Checkbox.Group
        options={options}
        value={picked}
        onChange={(v) => setPicked(v as string[])}
        style={{ display: "flex", flexDirection: "column", gap: 4 }}
      />
    ) : (
      <Input size="small" placeholder="a,b" value={picked.join(",")} onChange={(e) => setPicked(e.target.value.split(","))} />
    );
    apply = () => onChange(picked.filter((p) => p.trim()).join(",") || null);
  } else if (c.kind === "text" || c.kind === "link") {
    body = (
      <Input
        size="small"
        autoFocus
        value={text}
        onChange={(e) => setText(e.target.value)}
        onPressEnter={() => onChange(text.trim() || null)}
        placeholder={t.run.filterText}
      />
    );
    apply = () => onChange(text.trim() || null);
  } else {
    const field = (i: 0 | 1) =>
      c.kind === "date" ? (
        <Input
          size="small"
          placeholder="YYYY-MM-DD"
          value={sides[i]}
          style={{ width: 120 }}
          onChange={(e) => setSides(i === 0 ? [e.target.value, sides[1]] : [sides[0], e.target.value])}
        />
      ) : (
        <InputNumber
          size="small"
          style={{ width: 110 }}
          placeholder={i === 0 ? t.run.filterMin : t.run.filterMax}
          value={sides[i] === "" ? null : Number(sides[i])}
          onChange={(v) => setSides(i === 0 ? [v === null ? "" : String(v), sides[1]] : [sides[0], v === null ? "" : String(v)])}
          suffix={c.kind === "percent" ? "%" : undefined}
          data-testid={i === 0 ? "filter-min" : "filter-max"}
        />
      );
    body = (
      <Space>
        {field(0)}
        <span>–</span>
        {field(1)}
      </Space>
    );
    apply = () => onChange(rangeText(c, sides[0], sides[1]));
  }
  return (
    <div style={{ padding: 8 }} onKeyDown={(e) => e.stopPropagation()}>
      {body}
      <div>{buttons(apply)}</div>
    </div>
  );
}
