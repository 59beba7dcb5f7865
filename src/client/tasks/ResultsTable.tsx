"use client";
/** A task's result rows as data: paginated, sortable by key or any field, exportable as CSV. */
import { useMemo, useState } from "react";
import { Button, Card, Table, Typography } from "antd";
import type { SortOrder } from "antd/es/table/interface";
import { useT } from "../i18n";
import { useResultsQuery } from "../hooks/useTasks";

type Row = { key: string; data: unknown };

function cell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function ResultsTable({
  taskId,
  live,
  status,
  initialSort = null,
  title,
}: {
  taskId: string;
  live: boolean;
  status: string;
  initialSort?: string | null;
  title?: string;
}) {
  const t = useT();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [sort, setSort] = useState<string | null>(initialSort);
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const res = useResultsQuery(taskId, page, pageSize, sort, order, live, status);
  const items = useMemo(() => (res.data?.items ?? []) as Row[], [res.data]);
  const fields = useMemo(
    () => [...new Set(items.flatMap((r) => (r.data && typeof r.data === "object" && !Array.isArray(r.data) ? Object.keys(r.data) : [])))],
    [items],
  );
  const sortOrder = (f: string): SortOrder => (sort === f || (f === "key" && sort === null) ? (order === "asc" ? "ascend" : "descend") : null);

  // Most tasks have no result rows: then there is no card at all.
  if (!res.data || res.data.total === 0) return null;
  return (
    <Card size="small" title={title ?? t.run.results}>
      <Table<Row>
        rowKey="key"
        size="small"
        loading={res.isLoading}
        dataSource={items}
        scroll={{ x: true }}
        title={() => (
          <div style={{ display: "flex", justifyContent: "space-between" }}>
            <Typography.Text type="secondary">{res.data ? `${res.data.total}` : ""}</Typography.Text>
            <Button size="small" href={`/api/tasks/${taskId}/results/download`} download>
              {t.run.exportCsv}
            </Button>
          </div>
        )}
        pagination={{ current: page, pageSize, total: res.data?.total ?? 0, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 200] }}
        onChange={(p, _f, s) => {
          const sorter = Array.isArray(s) ? s[0] : s;
          const field = sorter?.order ? String(sorter.columnKey) : null;
          setSort(field === "key" ? null : field);
          setOrder(sorter?.order === "descend" ? "desc" : "asc");
          setPage(field !== sort ? 1 : (p.current ?? 1));
          setPageSize(p.pageSize ?? 20);
        }}
        columns={[
          { title: "key", key: "key", dataIndex: "key", sorter: true, sortOrder: sortOrder("key"), fixed: "left", width: 120 },
          ...(fields.length
            ? fields.map((f) => ({
                title: f,
                key: f,
                sorter: true,
                sortOrder: sortOrder(f),
                render: (_: unknown, r: Row) => cell((r.data as Record<string, unknown>)[f]),
              }))
            : [{ title: "value", key: "value", render: (_: unknown, r: Row) => cell(r.data) }]),
        ]}
      />
    </Card>
  );
}
