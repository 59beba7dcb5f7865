"use client";
/**
 * Screen runs compared (/strategies?compare=id,id,…): a side-by-side table of each run's
 * strategy, params as applied, data and match counts, cells that differ from the first run
 * highlighted; then, for each run and the next (oldest first), the funds that entered and left
 * its matches. Table and changes download as one CSV.
 */
import { Card, Col, Empty, Row, Space, Tag, Typography } from "antd";
import type { ScreenComparison } from "@/contracts/research";
import { useI18n } from "../i18n";
import { formatTime } from "../format";
import { useScreenComparison } from "../hooks/useResearch";
import { CompareActions, compareRowsOf, downloadCsv, SideBySide } from "./SideBySide";

type Run = ScreenComparison["runs"][number];

export function ScreenCompare({ ids, onClose, strategies }: { ids: string[]; onClose: () => void; strategies: Record<string, string> }) {
  const { t, lang } = useI18n();
  const h = t.history;
  const q = useScreenComparison(ids);
  const runs = q.data?.runs ?? [];
  const changes = q.data?.changes ?? [];
  const { rows, add } = compareRowsOf<Run>(runs);
  add("strategy", h.strategy, (r) => strategies[r.strategy] ?? r.strategy);
  add("when", h.when, (r) => formatTime(r.created_at, lang));
  add("who", h.who, (r) => r.author ?? (r.schedule_name ? h.bySchedule(r.schedule_name) : null));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params_applied ?? r.params)))];
  for (const k of keys) add(`param:${k}`, k, (r) => (r.params_applied ?? r.params)[k]);
  add("as_of", h.asOf, (r) => r.as_of);
  add("status", h.status, (r) => t.status[r.status as keyof typeof t.status] ?? r.status);
  add("evaluated", h.evaluated, (r) => r.evaluated);
  add("matched", h.matched, (r) => r.matched);
  add("data_hash", h.dataHash, (r) => r.data_hash);

  const download = () =>
    downloadCsv(
      `screen-compare-${ids.join("-")}.csv`,
      runs.map((r) => `#${r.task_id}`),
      rows,
      [
        ["from", "to", "change", "fund_code", "fund_name"],
        ...changes.flatMap((c) => [
          ...c.entered.map((f) => [c.from, c.to, "entered", f.fund_code, f.fund_name ?? ""]),
          ...c.left.map((f) => [c.from, c.to, "left", f.fund_code, f.fund_name ?? ""]),
        ]),
      ],
    );

  const funds = (list: { fund_code: string; fund_name: string | null }[], color: string) =>
    list.length === 0 ? (
      <Typography.Text type="secondary">—</Typography.Text>
    ) : (
      <Space size={4} wrap>
        {list.map((f) => (
          <Tag key={f.fund_code} color={color} style={{ margin: 0 }}>
            {`${f.fund_code} ${f.fund_name ?? ""}`.trim()}
          </Tag>
        ))}
      </Space>
    );

  return (
    <Card
      size="small"
      title={h.compareTitle(runs.length)}
      loading={q.isLoading}
      data-testid="screen-compare"
      extra={<CompareActions onDownload={download} onClose={onClose} empty={runs.length === 0} csvTestId="screen-compare-csv" />}
    >
      {q.isError ? (
        <Empty description={(q.error as Error).message} />
      ) : (
        <Space direction="vertical" size="middle" style={{ width: "100%" }}>
          <SideBySide rows={rows} titles={runs.map((r) => `#${r.task_id}`)} keys={runs.map((r) => r.task_id)} />
          {changes.map((c) => (
            <Card key={`${c.from}-${c.to}`} size="small" type="inner" title={h.change(c.from, c.to)} data-testid="screen-change">
              <Row gutter={16}>
                <Col xs={24} md={10}>
                  <Typography.Text strong>{`${h.entered} ${c.entered.length}`}</Typography.Text>
                  <div style={{ marginTop: 6 }} data-testid="screen-entered">
                    {funds(c.entered, "blue")}
                  </div>
                </Col>
                <Col xs={24} md={10}>
                  <Typography.Text strong>{`${h.left} ${c.left.length}`}</Typography.Text>
                  <div style={{ marginTop: 6 }} data-testid="screen-left">
                    {funds(c.left, "orange")}
                  </div>
                </Col>
                <Col xs={24} md={4}>
                  <Typography.Text strong>{`${h.stayed} ${c.stayed}`}</Typography.Text>
                </Col>
              </Row>
            </Card>
          ))}
        </Space>
      )}
    </Card>
  );
}
