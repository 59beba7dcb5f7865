"use client";
/**
 * /tasks/trends?type=…|queue=…: a task type's (or a queue's, or with neither the fleet's) trend
 * over 7, 30 or 90 days. Linked from 类型耗时 and from the queue panel; the choice is in the URL.
 */
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Breadcrumb, Select, Space } from "antd";
import { useI18n } from "../i18n";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { TrendCard } from "./Trends";

/** The trends page of a type, a queue or the fleet. */
export function TrendsPage() {
  const { t } = useI18n();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const types = useTaskTypesQuery();
  const type = params.get("type") ?? undefined;
  const queue = params.get("queue") ?? undefined;
  const typeTitle = types.data?.items.find((x) => x.name === type)?.title ?? type;
  const go = (next: { type?: string; queue?: string }) => {
    const q = new URLSearchParams();
    if (next.type) q.set("type", next.type);
    if (next.queue) q.set("queue", next.queue);
    router.replace(`${pathname}${q.size ? `?${q}` : ""}`, { scroll: false });
  };
  const title = type ? t.trends.ofType(typeTitle ?? type) : queue ? t.trends.ofQueue(queue) : t.trends.fleet;
  return (
    <Space direction="vertical" size={16} style={{ width: "100%" }}>
      <Breadcrumb items={[{ title: <Link href="/tasks">{t.nav.tasks}</Link> }, { title: t.trends.title }]} />
      <Space wrap>
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t.trends.pickType}
          style={{ width: 220 }}
          value={type}
          onChange={(v) => go({ type: v })}
          options={(types.data?.items ?? []).map((x) => ({ value: x.name, label: `${x.title} (${x.name})` }))}
          data-testid="trend-type"
        />
        <Select
          allowClear
          placeholder={t.trends.pickQueue}
          style={{ width: 140 }}
          value={queue}
          onChange={(v) => go({ queue: v })}
          options={[...new Set((types.data?.items ?? []).map((x) => x.queue))].map((q) => ({ value: q, label: q }))}
        />
      </Space>
      <TrendCard key={`${type ?? ""}|${queue ?? ""}`} title={title} type={type} queue={queue} />
    </Space>
  );
}
