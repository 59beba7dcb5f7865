"use client";
/**
 * What a screen or backtest saw and how it computed (src/tasks/provenance.ts): the code version,
 * the conventions, the parameters after defaults, and the data — per series its first and last
 * day, points and hash (for a screen, every fund's, paged).
 */
import { Card, Descriptions, Table, Typography } from "antd";
import { useT } from "../i18n";

interface Fingerprint {
  code: string;
  first: string | null;
  last: string | null;
  points: number;
  hash: string;
}

/** The provenance record as runs store it. */
export interface Provenance {
  code?: { version?: string; commit?: string | null };
  conventions?: { id?: string };
  params?: Record<string, unknown>;
  strategy?: string;
  window?: { start: string | null; end: string | null };
  as_of?: string | null;
  data?: { fund?: Fingerprint; benchmark?: Fingerprint | null; funds?: number; hash?: string; per_fund?: Fingerprint[] };
}

const printText = (p: Fingerprint | null | undefined) => (p ? `${p.code} · ${p.first} → ${p.last} · ${p.points} · ${p.hash}` : "—");

export function ProvenanceCard({ p }: { p: Provenance }) {
  const t = useT();
  const d = p.data ?? {};
  return (
    <Card size="small" title={t.provenance.title} data-testid="provenance">
      <Descriptions size="small" column={{ xs: 1, md: 2 }}>
        <Descriptions.Item label={t.provenance.code}>
          <Typography.Text code>
            {p.code?.version ?? "?"}
            {p.code?.commit ? ` @ ${p.code.commit.slice(0, 12)}` : ""}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t.provenance.conventions}>
          <Typography.Text code>{p.conventions?.id ?? "—"}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t.provenance.params} span={2}>
          <Typography.Text code style={{ wordBreak: "break-all" }}>
            {JSON.stringify(p.params ?? {})}
          </Typography.Text>
        </Descriptions.Item>
        {p.window && (
          <Descriptions.Item label={t.provenance.window}>
            {p.window.start ?? "…"} → {p.window.end ?? "…"}
          </Descriptions.Item>
        )}
        {p.as_of && <Descriptions.Item label="as_of">{p.as_of}</Descriptions.Item>}
        {d.fund && <Descriptions.Item label={t.provenance.fund}>{printText(d.fund)}</Descriptions.Item>}
        {d.fund && <Descriptions.Item label={t.provenance.benchmark}>{printText(d.benchmark)}</Descriptions.Item>}
        {d.hash && (
          <Descriptions.Item label={t.provenance.dataHash(d.funds ?? 0)}>
            <Typography.Text code>{d.hash}</Typography.Text>
          </Descriptions.Item>
        )}
      </Descriptions>
      {d.per_fund && (
        <Table<Fingerprint>
          size="small"
          rowKey="code"
          dataSource={d.per_fund}
          pagination={{ pageSize: 10, size: "small", showSizeChanger: false }}
          columns={[
            { title: t.provenance.cols.code, dataIndex: "code", width: 110 },
            { title: t.provenance.cols.first, dataIndex: "first", width: 120 },
            { title: t.provenance.cols.last, dataIndex: "last", width: 120 },
            { title: t.provenance.cols.points, dataIndex: "points", width: 90, align: "right" },
            { title: t.provenance.cols.hash, dataIndex: "hash", render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          ]}
        />
      )}
    </Card>
  );
}
