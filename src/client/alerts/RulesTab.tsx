"use client";
/** Alert rules: the table (kind, condition, channels, whether it is firing now) and the form, whose fields follow the kind. */
import { useState } from "react";
import { Button, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Tooltip, Typography } from "antd";
import { RULE_KINDS, type RuleJson, type RuleKind } from "@/contracts/alerts";
import { useFeedback } from "../feedback";
import { formatTime } from "../format";
import { useAlertMutations, useChannelsQuery, useRulesQuery } from "../hooks/useAlerts";
import { useSchedulesQuery } from "../hooks/useSchedules";
import { useTaskTypesQuery } from "../hooks/useTaskTypes";
import { useI18n } from "../i18n";
import { EditDialog, RowActions } from "./parts";

/** The params a kind's form shows, as form field names (the API's names). */
const FIELDS: Record<RuleKind, string[]> = {
  task_failed: ["types", "queue", "schedule", "category"],
  deadline: ["schedule", "at", "after_minutes"],
  backlog: ["queue", "max_queued", "max_wait_minutes"],
  no_worker: ["minutes", "queue"],
  stuck_run: ["minutes", "type"],
  restart_loop: ["schedule", "max_restarts"],
};
const NUMBER_FIELDS = new Set(["after_minutes", "max_queued", "max_wait_minutes", "minutes", "max_restarts"]);

/** A rule's params as `key=value` parts (for the table). */
function conditionParts(r: RuleJson): string[] {
  return Object.entries(r.params)
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
}

export function RulesTab() {
  const { t, lang } = useI18n();
  const rules = useRulesQuery();
  const channels = useChannelsQuery();
  const schedules = useSchedulesQuery(null, 200);
  const types = useTaskTypesQuery();
  const m = useAlertMutations();
  const { run } = useFeedback();
  const [editing, setEditing] = useState<RuleJson | "new" | null>(null);
  const [form] = Form.useForm<Record<string, unknown>>();
  const kind = (Form.useWatch("kind", form) ?? "task_failed") as RuleKind;
  const current = editing && editing !== "new" ? editing : null;

  const open = (r: RuleJson | "new") => {
    setEditing(r);
    form.resetFields();
    if (r === "new") form.setFieldsValue({ kind: "task_failed", min_interval_s: 300, notify_recovery: true, lang, enabled: true, channels: [] });
    else form.setFieldsValue({ ...r.params, name: r.name, kind: r.kind, channels: r.channels, min_interval_s: r.min_interval_s, notify_recovery: r.notify_recovery, lang: r.lang, enabled: r.enabled });
  };

  const submit = async (v: Record<string, unknown>) => {
    const params: Record<string, unknown> = {};
    for (const f of FIELDS[v.kind as RuleKind]) {
      const x = v[f];
      if (x === undefined || x === null || x === "" || (Array.isArray(x) && x.length === 0)) continue;
      params[f] = x;
    }
    const body = { name: v.name, params, channels: v.channels, min_interval_s: v.min_interval_s, notify_recovery: v.notify_recovery, lang: v.lang, enabled: v.enabled };
    const ok = current ? await run(m.patchRule.mutateAsync({ id: current.id, ...body }), t.alerts.saved) : await run(m.createRule.mutateAsync({ ...body, kind: v.kind }), t.alerts.saved);
    if (ok) setEditing(null);
  };

  const scheduleOptions = (schedules.data?.items ?? []).map((s) => ({ value: s.name, label: s.name }));
  const field = (f: string) => {
    const label = {
      types: t.alerts.types,
      type: t.alerts.kind,
      queue: t.alerts.queue,
      schedule: t.alerts.schedule,
      category: t.alerts.category,
      at: t.alerts.deadlineAt,
      after_minutes: t.alerts.afterMinutes,
      max_queued: t.alerts.maxQueued,
      max_wait_minutes: t.alerts.maxWait,
      minutes: t.alerts.minutes,
      max_restarts: t.alerts.maxRestarts,
    }[f];
    let input;
    if (f === "types") input = <Select mode="multiple" allowClear options={(types.data?.items ?? []).map((x) => ({ value: x.name, label: `${x.title} (${x.name})` }))} />;
    else if (f === "type") input = <Select allowClear options={(types.data?.items ?? []).map((x) => ({ value: x.name, label: `${x.title} (${x.name})` }))} />;
    else if (f === "schedule") input = <Select allowClear showSearch options={scheduleOptions} />;
    else if (f === "at") input = <Input placeholder="21:00" maxLength={5} />;
    else if (NUMBER_FIELDS.has(f)) input = <InputNumber min={f === "max_queued" ? 0 : 1} style={{ width: 160 }} />;
    else input = <Input />;
    const required = (kind === "deadline" && f === "schedule") || (kind === "backlog" && f === "queue") || ((kind === "stuck_run" || kind === "no_worker") && f === "minutes") || (kind === "restart_loop" && f === "max_restarts");
    return (
      <Form.Item key={f} label={label} name={f} rules={[{ required }]}>
        {input}
      </Form.Item>
    );
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => open("new")}>
          {t.alerts.newRule}
        </Button>
      </Space>
      <Table<RuleJson>
        rowKey="id"
        size="middle"
        loading={rules.isLoading}
        dataSource={rules.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t.alerts.empty }}
        columns={[
          { title: t.alerts.name, dataIndex: "name", width: 170 },
          {
            title: t.alerts.kind,
            dataIndex: "kind",
            width: 150,
            render: (k: RuleKind) => (
              <Tooltip title={t.alerts.ruleHints[k]}>
                <Tag>{t.alerts.ruleKinds[k]}</Tag>
              </Tooltip>
            ),
          },
          {
            title: t.alerts.condition,
            render: (_: unknown, r) => {
              const parts = conditionParts(r);
              return parts.length ? (
                <Space size={[4, 4]} wrap>
                  {parts.map((p) => (
                    <Typography.Text code key={p} style={{ whiteSpace: "nowrap" }}>
                      {p}
                    </Typography.Text>
                  ))}
                </Space>
              ) : (
                "—"
              );
            },
          },
          { title: t.alerts.ruleChannels, dataIndex: "channels", render: (c: string[]) => c.map((n) => <Tag key={n}>{n}</Tag>) },
          {
            title: t.alerts.state,
            width: 100,
            render: (_: unknown, r) => (
              <Tooltip title={r.state_note ?? undefined}>
                {!r.enabled ? <Tag>{t.alerts.disabled}</Tag> : r.firing ? <Tag color="red">{t.alerts.firing}</Tag> : <Tag color="green">{t.alerts.ok}</Tag>}
              </Tooltip>
            ),
          },
          { title: t.alerts.lastSent, dataIndex: "last_sent_at", width: 170, render: (v: string | null) => formatTime(v, lang) },
          {
            title: t.alerts.enabled,
            dataIndex: "enabled",
            width: 70,
            render: (on: boolean, r) => <Switch size="small" checked={on} onChange={(v) => void run(m.patchRule.mutateAsync({ id: r.id, enabled: v }), t.alerts.saved)} />,
          },
          {
            title: t.common.actions,
            width: 150,
            render: (_: unknown, r) => (
              <RowActions name={r.name} onEdit={() => open(r)} onDelete={() => void run(m.deleteRule.mutateAsync(r.id), t.alerts.deleted)} />
            ),
          },
        ]}
      />
      <EditDialog
        title={current ? t.alerts.editRule : t.alerts.newRule}
        open={editing !== null}
        saving={m.createRule.isPending || m.patchRule.isPending}
        width={600}
        onCancel={() => setEditing(null)}
        onSave={() => form.submit()}
      >
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item label={t.alerts.name} name="name" rules={[{ required: true, max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t.alerts.kind} name="kind" extra={t.alerts.ruleHints[kind]}>
            <Select disabled={!!current} options={RULE_KINDS.map((k) => ({ value: k, label: t.alerts.ruleKinds[k] }))} />
          </Form.Item>
          {FIELDS[kind].map(field)}
          <Form.Item label={t.alerts.ruleChannels} name="channels" rules={[{ required: true, type: "array", min: 1 }]}>
            <Select mode="multiple" options={(channels.data?.items ?? []).map((c) => ({ value: c.name, label: `${c.name} · ${t.alerts.kinds[c.kind]}` }))} />
          </Form.Item>
          <Space size="large" wrap>
            <Form.Item label={t.alerts.minInterval} name="min_interval_s" tooltip={t.alerts.minIntervalHint}>
              <InputNumber min={0} max={604800} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item label={t.alerts.recovery} name="notify_recovery" valuePropName="checked">
              <Switch size="small" />
            </Form.Item>
            <Form.Item label={t.alerts.lang} name="lang">
              <Select style={{ width: 110 }} options={[{ value: "zh", label: "中文" }, { value: "en", label: "English" }]} />
            </Form.Item>
            <Form.Item label={t.alerts.enabled} name="enabled" valuePropName="checked">
              <Switch size="small" />
            </Form.Item>
          </Space>
        </Form>
      </EditDialog>
    </>
  );
}
