"use client";
/** The alert history: what fired, when, to which channel, and whether it was delivered (the reason when not). */
import Link from "next/link";
import { Button, Table, Tag, Tooltip, Typography } from "antd";
import type { AlertEventJson } from "@/contracts/alerts";
import { formatTime } from "../format";
import { useAlertHistory } from "../hooks/useAlerts";
import { useI18n } from "../i18n";

const STATUS_COLOR = { pending: "processing", delivered: "success", failed: "error" } as const;
const KIND_COLOR = { fire: "red", recover: "green", test: "blue" } as const;

export function HistoryTab() {
  const { t, lang } = useI18n();
  const history = useAlertHistory();
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Table<AlertEventJson>
        rowKey="id"
        size="middle"
        loading={history.isLoading}
        dataSource={items}
        pagination={false}
        locale={{ emptyText: t.alerts.empty }}
        expandable={{ expandedRowRender: (e) => <Typography.Paragraph style={{ whiteSpace: "pre-wrap", margin: 0 }}>{e.message}</Typography.Paragraph> }}
        columns={[
          { title: t.alerts.time, dataIndex: "created_at", width: 170, render: (v: string) => formatTime(v, lang) },
          { title: t.alerts.rule, dataIndex: "rule_name", width: 160, render: (v: string | null) => v ?? "—" },
          { title: t.alerts.channel, dataIndex: "channel_name", width: 130 },
          { title: t.alerts.eventKind, dataIndex: "kind", width: 80, render: (k: AlertEventJson["kind"]) => <Tag color={KIND_COLOR[k]}>{t.alerts.eventKinds[k]}</Tag> },
          {
            title: t.alerts.message,
            dataIndex: "title",
            render: (title: string, e) => (
              <div>
                <div>{title}</div>
                {e.error && (
                  <Typography.Text type={e.status === "failed" ? "danger" : "secondary"} style={{ fontSize: 12 }}>
                    {e.error}
                  </Typography.Text>
                )}
              </div>
            ),
          },
          {
            title: t.alerts.status,
            dataIndex: "status",
            width: 110,
            render: (s: AlertEventJson["status"], e) => (
              <Tooltip title={e.error ?? undefined}>
                <Tag color={STATUS_COLOR[s]} data-testid={`alert-status-${e.id}`}>
                  {t.alerts.statuses[s]}
                </Tag>
              </Tooltip>
            ),
          },
          {
            title: t.alerts.notifyTask,
            dataIndex: "task_id",
            width: 100,
            render: (id: string | null) => (id ? <Link href={`/tasks/${id}`}>#{id}</Link> : "—"),
          },
        ]}
      />
      {history.hasNextPage && (
        <Button style={{ marginTop: 12 }} onClick={() => void history.fetchNextPage()} loading={history.isFetchingNextPage}>
          {t.common.loadMore}
        </Button>
      )}
    </>
  );
}
