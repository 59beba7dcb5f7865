"use client";
/** A sweep's heatmap as a table (values readable, cells testable): one row per y value, one column per x value, darker = better. */
import { Empty, Typography } from "antd";
import type { SweepSummary } from "@/contracts/sweeps";
import { useI18n } from "../i18n";
import { metricText } from "./metricText";
import { THEME_VARS } from "../theme";

/** The heatmap as a table: one row per y value, one column per x value, darker = better. */
export function Heatmap({ s }: { s: SweepSummary }) {
  const { t } = useI18n();
  const h = s.heatmap;
  const values = h.cells.flat().filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const shade = (v: number) => {
    const u = hi === lo ? 1 : (v - lo) / (hi - lo);
    return s.higher_is_better ? u : 1 - u;
  };
  if (!h.x || values.length === 0) return <Empty description={t.sweeps.noValue} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const cell: React.CSSProperties = { padding: "6px 10px", textAlign: "right", border: `1px solid ${THEME_VARS.border}`, minWidth: 72 };
  return (
    <div style={{ overflowX: "auto" }}>
      <table data-testid="sweep-heatmap" style={{ borderCollapse: "collapse", fontSize: 12, fontVariantNumeric: "tabular-nums" }}>
        <thead>
          <tr>
            <th style={{ ...cell, textAlign: "left", background: THEME_VARS.fill }}>
              <Typography.Text code>{h.y ?? ""}</Typography.Text> ↓ <Typography.Text code>{h.x}</Typography.Text> →
            </th>
            {h.xs.map((x) => (
              <th key={x} style={{ ...cell, background: THEME_VARS.fill }}>
                {x}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {h.cells.map((row, yi) => (
            <tr key={yi}>
              <th style={{ ...cell, background: THEME_VARS.fill }}>{h.y ? h.ys[yi] : "—"}</th>
              {row.map((v, xi) => {
                const u = v === null ? 0 : shade(v);
                return (
                  <td
                    key={xi}
                    data-testid="heat-cell"
                    title={`${h.x}=${h.xs[xi]}${h.y ? `, ${h.y}=${h.ys[yi]}` : ""}: ${metricText(s.metric, v)} (n=${h.counts[yi][xi]})`}
                    style={{
                      ...cell,
                      background: v === null ? THEME_VARS.bgContainer : `rgba(22, 119, 255, ${(0.08 + 0.82 * u).toFixed(3)})`,
                      color: v !== null && u > 0.55 ? "#fff" : undefined,
                    }}
                  >
                    {v === null ? "—" : metricText(s.metric, v)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
