"use client";
/** The audit log for admins: who changed what, when and from where. */
import { useState } from "react";
import { Button, Card, Input, Space, Table, Typography } from "antd";
import type { AuditJson } from "@/contracts/audit";
import { formatTime } from "./format";
import { useAuditQuery } from "./hooks/useAudit";
import { useI18n } from "./i18n";

export function AuditPage() {
  const { t, lang } = useI18n();
  const [actor, setActor] = useState("");
  const [action, setAction] = useState("");
  const [filters, setFilters] = useState<{ actor?: string; action?: string }>({});
  const audit = useAuditQuery(filters);
  const rows = audit.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Card title={t.audit.title}>
      <Space style={{ marginBottom: 16 }} wrap>
        <Input
          placeholder={t.audit.actorFilter}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
          style={{ width: 200 }}
          allowClear
          maxLength={100}
        />
        <Input
          placeholder={t.audit.actionFilter}
          value={action}
          onChange={(e) => setAction(e.target.value)}
          style={{ width: 220 }}
          allowClear
          maxLength={100}
        />
        <Button type="primary" onClick={() => setFilters({ actor: actor.trim() || undefined, action: action.trim() || undefined })}>
          {t.common.filter}
        </Button>
        <Button onClick={() => void audit.refetch()}>{t.common.refresh}</Button>
      </Space>
      <Table<AuditJson>
        rowKey="id"
        size="small"
        loading={audit.isLoading}
        dataSource={rows}
        pagination={false}
        // The details need room: below this the table scrolls sideways instead of squeezing
        // them to a character a line (seen at 1024 px).
        scroll={{ x: 1160 }}
        columns={[
          { title: t.audit.at, dataIndex: "at", width: 180, render: (v: string) => formatTime(v, lang) },
          { title: t.audit.actor, dataIndex: "actor", width: 150 },
          { title: t.audit.action, dataIndex: "action", width: 170, render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
          { title: t.audit.target, dataIndex: "target", width: 160, render: (v: string | null) => v ?? "—" },
          {
            title: t.audit.details,
            dataIndex: "details",
            width: 360,
            render: (v: unknown) =>
              v === null || v === undefined ? (
                "—"
              ) : (
                <Typography.Text type="secondary" style={{ fontFamily: "monospace", fontSize: 12, wordBreak: "break-all" }}>
                  {JSON.stringify(v)}
                </Typography.Text>
              ),
          },
          { title: t.audit.ip, dataIndex: "ip", width: 140, render: (v: string | null) => v ?? "—" },
        ]}
      />
      <div style={{ textAlign: "center", marginTop: 16 }}>
        {audit.hasNextPage ? (
          <Button onClick={() => void audit.fetchNextPage()} loading={audit.isFetchingNextPage}>
            {t.common.loadMore}
          </Button>
        ) : (
          rows.length > 0 && <Typography.Text type="secondary">{t.common.noMore}</Typography.Text>
        )}
      </div>
    </Card>
  );
}
