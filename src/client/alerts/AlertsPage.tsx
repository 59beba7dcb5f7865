"use client";
/** 告警 (admin): rules, channels and the history of messages, one tab each (the tab is in the URL). */
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Alert, Tabs, Typography } from "antd";
import { useI18n } from "../i18n";
import { ChannelsTab } from "./ChannelsTab";
import { HistoryTab } from "./HistoryTab";
import { RulesTab } from "./RulesTab";

const TABS = ["rules", "channels", "history"] as const;

export function AlertsPage() {
  const { t } = useI18n();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tab = (TABS as readonly string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as (typeof TABS)[number]) : "rules";
  return (
    <div>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t.alerts.title}
      </Typography.Title>
      <Alert type="info" showIcon message={t.alerts.publicUrlHint} style={{ marginBottom: 16 }} />
      <Tabs
        activeKey={tab}
        onChange={(k) => router.replace(k === "rules" ? pathname : `${pathname}?tab=${k}`)}
        items={[
          { key: "rules", label: t.alerts.rules, children: <RulesTab /> },
          { key: "channels", label: t.alerts.channels, children: <ChannelsTab /> },
          { key: "history", label: t.alerts.history, children: <HistoryTab /> },
        ]}
      />
    </div>
  );
}
