"use client";
/**
 * A task's result rows as data: in the columns its type declares (typed cells, sortable and
 * filterable in the database) or, without a declaration, a key column and one per field;
 * paginated, with the page's raw JSON one click away and a CSV of exactly the rows shown
 * (same sort and filters, same columns).
 */
import { useMemo, useState } from "react";
import { Button, Card, Segmented, Space, Table, Tag, Typography } from "antd";
import type { ColumnsType, SortOrder } from "antd/es/table/interface";
import { sortable, type ResultColumn, type ResultView } from "@/contracts/resultView";
import { prettyJson } from "../format";
import { useI18n } from "../i18n";
import { useResultsQuery } from "../hooks/useTasks";
import { ResultCell } from "./ResultCell";
import { ResultFilterBox } from "./ResultFilters";

type Row = { key: string; data: unknown };

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function cell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(4);
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** The result rows card of a task (none when it has no rows). */
export function ResultsTable({
  taskId,
  live,
  status,
  view,
  initialSort = null,
  title,
}: {
  taskId: string;
  live: boolean;
  status: string;
  /** The type's declared columns (null: the generic table). */
  view?: ResultView | null;
  initialSort?: string | null;
  title?: string;
}) {
  const { t, lang } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  // Until the table is sorted by hand it opens in the view's order (the view arrives with the
  // task types, after the first render).
  const [chosen, setChosen] = useState<{ sort: string | null; order: "asc" | "desc" } | null>(null);
  const sort = chosen ? chosen.sort : (initialSort ?? view?.sort?.field ?? null);
  const order = chosen ? chosen.order : initialSort ? "asc" : (view?.sort?.order ?? "asc");
  const setSort = (s: string | null, o: "asc" | "desc") => setChosen({ sort: s, order: o });
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [raw, setRaw] = useState(false);
  const res = useResultsQuery(taskId, page, pageSize, sort, order, live, status, filters);
  const items = useMemo(() => (res.data?.items ?? []) as Row[], [res.data]);
  const allDeclared = useMemo(() => view?.columns ?? [], [view]);
  // A declared column no row of the page has a value for (as_of on a run that was not "as of"
  // a day) is left out, unless it is filtered: the filter stays where it can be cleared.
  const declared = useMemo(
    () =>
      allDeclared.filter(
        (c) => filters[c.field] !== undefined || items.some((r) => isRecord(r.data) && r.data[c.field] !== undefined && r.data[c.field] !== null),
      ),
    [allDeclared, items, filters],
  );
  // Fields of the rows on this page that no column names: the whole table without a
  // declaration, the extra fields after the columns with `more`.
  const extra = useMemo(() => {
    if (allDeclared.length > 0 && !view?.more) return [];
    const named = new Set(allDeclared.map((c) => c.field));
    return [...new Set(items.flatMap((r) => (isRecord(r.data) ? Object.keys(r.data) : [])))].filter((f) => !named.has(f));
  }, [items, allDeclared, view]);
  const sortOrder = (f: string): SortOrder => (sort === f || (f === "key" && sort === null) ? (order === "asc" ? "ascend" : "descend") : null);
  const setFilter = (field: string, text: string | null) => {
    setFilters((prev) => {
      const next = { ...prev };
      if (text === null) delete next[field];
      else next[field] = text;
      return next;
    });
    setPage(1);
  };
  const csvHref = useMemo(() => {
    const q = new URLSearchParams({ order, lang });
    if (sort) q.set("sort", sort);
    for (const [f, v] of Object.entries(filters)) q.set(`filter.${f}`, v);
    return `/api/tasks/${taskId}/results/download?${q}`;
  }, [taskId, sort, order, filters, lang]);

  const filtered = Object.keys(filters).length > 0;
  // Most tasks have no result rows: then there is no card at all (a filter that matches
  // nothing keeps it, so the filter can be cleared).
  if (!res.data || (res.data.total === 0 && !filtered)) return null;

  const filterProps = (c: ResultColumn) =>
    c.kind === "sparkline"
      ? {}
      : {
          filteredValue: filters[c.field] ? [filters[c.field]] : null,
          filterDropdown: ({ close }: { close: () => void }) => (
            <ResultFilterBox
              key={filters[c.field] ?? ""}
              column={c}
              value={filters[c.field]}
              lang={lang}
              onChange={(text) => {
                setFilter(c.field, text);
                close();
              }}
            />
          ),
        };
  const textColumn = (f: string): ResultColumn => ({ field: f, title: { zh: f, en: f }, kind: "text" });
  const columns: ColumnsType<Row> = [
    ...(allDeclared.length === 0
      ? [{ title: "key", key: "key", dataIndex: "key", sorter: true, sortOrder: sortOrder("key"), fixed: "left" as const, width: 120 }]
      : []),
    ...declared.map((c) => ({
      title: c.title[lang],
      key: c.field,
      // Headers on one line: a dozen figure columns scroll sideways instead of stacking characters.
      onHeaderCell: () => ({ style: { whiteSpace: "nowrap" as const } }),
      align: c.kind === "number" || c.kind === "percent" || c.kind === "money" ? ("right" as const) : undefined,
      sorter: sortable(c),
      sortOrder: sortable(c) ? sortOrder(c.field) : null,
      ...filterProps(c),
      render: (_: unknown, r: Row) => <ResultCell column={c} value={isRecord(r.data) ? r.data[c.field] : undefined} lang={lang} />,
    })),
    ...extra.map((f) => ({
      title: f,
      key: f,
      sorter: true,
      sortOrder: sortOrder(f),
      ...filterProps(textColumn(f)),
      render: (_: unknown, r: Row) => cell((r.data as Record<string, unknown>)[f]),
    })),
    ...(allDeclared.length === 0 && extra.length === 0 ? [{ title: "value", key: "value", render: (_: unknown, r: Row) => cell(r.data) }] : []),
  ];

  return (
    <Card size="small" title={title ?? t.run.results} data-testid="results-card">
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center", marginBottom: 8, gap: 8, flexWrap: "wrap" }}>
        <Space wrap>
          <Typography.Text type="secondary" data-testid="results-total">
            {t.run.rowsTotal(res.data.total)}
          </Typography.Text>
          {Object.entries(filters).map(([f, v]) => (
            <Tag key={f} closable onClose={() => setFilter(f, null)} data-testid="active-filter">
              {(declared.find((c) => c.field === f)?.title[lang] ?? f) + ": " + v}
            </Tag>
          ))}
        </Space>
        <Space>
          <Segmented
            size="small"
            value={raw ? "json" : "table"}
            onChange={(v) => setRaw(v === "json")}
            options={[
              { value: "table", label: t.run.asTable },
              { value: "json", label: "JSON" },
            ]}
            data-testid="results-mode"
          />
          <Button size="small" href={csvHref} download>
            {t.run.exportCsv}
          </Button>
        </Space>
      </div>
      {raw ? (
        <pre style={{ maxHeight: 480, overflow: "auto", fontSize: 12, margin: 0 }} data-testid="results-json">
          {prettyJson(items)}
        </pre>
      ) : (
        <Table<Row>
          rowKey="key"
          size="small"
          loading={res.isLoading}
          dataSource={items}
          scroll={{ x: true }}
          pagination={{ current: page, pageSize, total: res.data.total, showSizeChanger: true, pageSizeOptions: [20, 50, 100, 200] }}
          onChange={(p, _f, s) => {
            const sorter = Array.isArray(s) ? s[0] : s;
            const field = sorter?.order ? String(sorter.columnKey) : null;
            setSort(field === "key" ? null : field, sorter?.order === "descend" ? "desc" : "asc");
            setPage(field !== sort ? 1 : (p.current ?? 1));
            setPageSize(p.pageSize ?? 20);
          }}
          columns={columns}
        />
      )}
    </Card>
  );
}
