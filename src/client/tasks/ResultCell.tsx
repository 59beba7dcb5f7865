"use client";
/**
 * One value of a result row or result, drawn as its column declares (src/contracts/resultView.ts
 * states the conventions): numbers with their digits, percents, money, dates, coloured tags,
 * links to a fund, task or run, and sparklines. A value that does not fit its kind is shown as
 * it is, never hidden.
 */
import Link from "next/link";
import { Space, Tag, Tooltip, Typography } from "antd";
import { digitsOf, shownNumber, sparkValues, tagItems, type ResultColumn } from "@/contracts/resultView";

/** Red above zero and green below (A-share quotes), as `signed` columns are coloured. */
const UP = "#cf1322";
const DOWN = "#389e0d";

function plain(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The text of a number, percent or money value (null when the value is not a number). */
export function numberText(c: ResultColumn, v: unknown, lang: "zh" | "en"): string | null {
  const n = shownNumber(c, v);
  if (n === null) return null;
  const digits = digitsOf(c, n);
  const body = n.toLocaleString(lang === "zh" ? "zh-CN" : "en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  if (c.kind === "percent") return `${body}%`;
  if (c.kind === "money") return (c.currency ?? "CNY") === "CNY" ? `¥${body}` : `${body} ${c.currency}`;
  return body;
}

/** A date column's text: a YYYY-MM-DD as it is, a timestamp in the viewer's time zone to the minute. */
function dateText(v: unknown, lang: "zh" | "en"): string {
  if (typeof v !== "string") return plain(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  return d.toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    hour12: false,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Where a link column's value leads. */
function hrefOf(kind: NonNullable<ResultColumn["link"]>, v: string): string {
  if (kind === "fund") return `/sniffer?fund=${encodeURIComponent(v)}`;
  if (kind === "task") return `/tasks/${encodeURIComponent(v)}`;
  return `/tasks/runs/${encodeURIComponent(v)}`;
}

/** A small line of a series: first to last, scaled to its own range, the last point marked. */
export function Sparkline({ values, width = 96, height = 22 }: { values: readonly number[]; width?: number; height?: number }) {
  if (values.length < 2) return <Typography.Text type="secondary">—</Typography.Text>;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (i: number) => 1 + (i / (values.length - 1)) * (width - 2);
  const y = (v: number) => 1 + (1 - (v - lo) / span) * (height - 2);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const up = values[values.length - 1] >= values[0];
  return (
    <svg width={width} height={height} role="img" aria-label={`${values[0]} → ${values[values.length - 1]}`} data-testid="sparkline">
      <polyline points={points} fill="none" stroke={up ? UP : DOWN} strokeWidth={1.25} />
      <circle cx={x(values.length - 1)} cy={y(values[values.length - 1])} r={1.8} fill={up ? UP : DOWN} />
    </svg>
  );
}

/** One value drawn by its column. */
export function ResultCell({ column: c, value: v, lang }: { column: ResultColumn; value: unknown; lang: "zh" | "en" }) {
  if (v === null || v === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  switch (c.kind) {
    case "number":
    case "percent":
    case "money": {
      const text = numberText(c, v, lang);
      if (text === null) return <>{plain(v)}</>;
      const n = v as number;
      const color = c.signed && n !== 0 ? (n > 0 ? UP : DOWN) : undefined;
      return (
        <span style={{ fontVariantNumeric: "tabular-nums", color, whiteSpace: "nowrap" }} data-kind={c.kind}>
          {text}
        </span>
      );
    }
    case "date":
      return <span style={{ whiteSpace: "nowrap" }}>{dateText(v, lang)}</span>;
    case "tags": {
      const items = tagItems(c, v, lang);
      if (items.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
      return (
        <Space size={[4, 4]} wrap>
          {items.map((t, i) => {
            const tag = (
              <Tag key={`${t.value}-${i}`} color={c.colors?.[t.value] ?? "default"} style={{ marginInlineEnd: 0 }} data-testid="result-tag">
                {t.text}
                {t.detail !== null && <span style={{ opacity: 0.75 }}> {t.detail}</span>}
              </Tag>
            );
            return tag;
          })}
        </Space>
      );
    }
    case "link": {
      const list = Array.isArray(v) ? v : [v];
      return (
        <Space size={[6, 0]} wrap>
          {list.map((x, i) => {
            const s = plain(x);
            return (
              <Link key={`${s}-${i}`} href={hrefOf(c.link ?? "task", s)} prefetch={false}>
                {c.link === "task" || c.link === "run" ? `#${s}` : s}
              </Link>
            );
          })}
        </Space>
      );
    }
    case "sparkline": {
      const values = sparkValues(c, v);
      return (
        <Tooltip title={values.length ? `${values[0]} → ${values[values.length - 1]} (${values.length})` : undefined}>
          <span>
            <Sparkline values={values} />
          </span>
        </Tooltip>
      );
    }
    default: {
      // Short text (names, codes) stays on one line; long text (a 龙虎榜 reason) wraps.
      const text = plain(v);
      return <span style={text.length <= 24 ? { whiteSpace: "nowrap" } : undefined}>{text}</span>;
    }
  }
}
