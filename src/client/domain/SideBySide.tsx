"use client";
/**
 * The side-by-side table every comparison uses (backtest runs, batches, screens): one row per
 * field, one column per item, each cell that differs from the first item's highlighted (and
 * marked data-differs); plus the same table as CSV for download.
 */
import type { ReactNode } from "react";
import { Button, Space, Table, Typography } from "antd";
import { stringify } from "csv-stringify/browser/esm/sync";
import { useI18n } from "../i18n";
import { THEME_VARS } from "../theme";

/** The most items a comparison shows. */
export const MAX_COMPARE = 5;

/** The items a URL parameter names for comparison ("id,id,…"): those `keep` accepts, at most MAX_COMPARE. */
export function comparedIds(value: string | null, keep: (id: string) => boolean = (id) => /^\d+$/.test(id)): string[] {
  return (value ?? "").split(",").filter(keep).slice(0, MAX_COMPARE);
}

/** One field of the comparison: its label and one text per item. */
export interface CompareRow {
  key: string;
  label: string;
  cells: string[];
}

/** Builds rows: `add(key, label, valueOf)` appends a row, null/undefined shown as "—". */
export function compareRowsOf<T>(items: T[]): { rows: CompareRow[]; add: (key: string, label: string, f: (item: T) => unknown) => void } {
  const rows: CompareRow[] = [];
  const text = (v: unknown) => (v === null || v === undefined ? "—" : String(v));
  return { rows, add: (key, label, f) => rows.push({ key, label, cells: items.map((x) => text(f(x))) }) };
}

export function SideBySide({ rows, titles, keys }: { rows: CompareRow[]; titles: ReactNode[]; keys: string[] }) {
  return (
    <Table
      size="small"
      rowKey="key"
      pagination={false}
      dataSource={rows}
      scroll={{ x: true }}
      columns={[
        { title: "", dataIndex: "label", width: 160, fixed: "left" },
        ...titles.map((title, i) => ({
          title: <Typography.Text strong>{title}</Typography.Text>,
          key: keys[i],
          render: (_: unknown, row: CompareRow) => {
            const differs = i > 0 && row.cells[i] !== row.cells[0];
            return (
              <span data-differs={differs || undefined} style={differs ? { background: THEME_VARS.warningBg, padding: "0 4px", fontWeight: 600 } : undefined}>
                {row.cells[i]}
              </span>
            );
          },
        })),
      ]}
    />
  );
}

/** Downloads rows (with a header row and any extra rows after a blank line) as a UTF-8 CSV with a BOM. */
export function downloadCsv(filename: string, header: string[], rows: CompareRow[], extra: string[][] = []): void {
  const body = [["", ...header], ...rows.map((r) => [r.label, ...r.cells]), ...(extra.length ? [[], ...extra] : [])];
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob(["\ufeff" + stringify(body)], { type: "text/csv;charset=utf-8" }));
  a.download = filename;
  a.click();
  URL.revokeObjectURL(a.href);
}

/** A comparison card's buttons: download its CSV, close it. */
export function CompareActions({ onDownload, onClose, empty, csvTestId }: { onDownload: () => void; onClose: () => void; empty: boolean; csvTestId: string }) {
  const { t } = useI18n();
  return (
    <Space>
      <Button size="small" onClick={onDownload} disabled={empty} data-testid={csvTestId}>
        {t.run.exportCsv}
      </Button>
      <Button size="small" onClick={onClose}>
        {t.backtests.closeCompare}
      </Button>
    </Space>
  );
}
