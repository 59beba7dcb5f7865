"use client";
/**
 * Alert channels: the table (where each sends, which secrets are saved — never their values),
 * a test message per channel, and the form. Secrets are write-only: editing shows "saved" and an
 * empty field keeps what is stored.
 */
import { useState } from "react";
import { Button, Form, Input, InputNumber, Select, Space, Switch, Table, Tag, Typography } from "antd";
import { CHANNEL_KINDS, type ChannelJson, type ChannelKind } from "@/contracts/alerts";
import { useFeedback } from "../feedback";
import { useAlertMutations, useChannelsQuery } from "../hooks/useAlerts";
import { useI18n } from "../i18n";
import { EditDialog, RowActions } from "./parts";

interface FormValues {
  name: string;
  kind: ChannelKind;
  enabled: boolean;
  url?: string;
  secret?: string;
  clearSecret?: boolean;
  host?: string;
  port?: number;
  secure?: boolean;
  user?: string;
  from?: string;
  to?: string[];
  password?: string;
}

export function ChannelsTab() {
  const { t } = useI18n();
  const channels = useChannelsQuery();
  const m = useAlertMutations();
  const { run, enqueued, failed } = useFeedback();
  const [editing, setEditing] = useState<ChannelJson | "new" | null>(null);
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch("kind", form);
  const current = editing && editing !== "new" ? editing : null;
  const saved = (k: string) => current?.secrets_set.includes(k as "url") ?? false;

  const open = (c: ChannelJson | "new") => {
    setEditing(c);
    form.resetFields();
    if (c === "new") form.setFieldsValue({ kind: "dingtalk", enabled: true, port: 465, secure: true });
    else form.setFieldsValue({ name: c.name, kind: c.kind, enabled: c.enabled, ...c.config });
  };

  const submit = async (v: FormValues) => {
    const secrets: Record<string, string | null> = {};
    if (v.url) secrets.url = v.url;
    if (v.secret) secrets.secret = v.secret;
    else if (v.clearSecret) secrets.secret = null;
    if (v.password) secrets.password = v.password;
    const config = v.kind === "email" ? { host: v.host, port: v.port, secure: v.secure, user: v.user || undefined, from: v.from || undefined, to: v.to } : {};
    const body = { name: v.name, config, secrets, enabled: v.enabled };
    const ok = current ? await run(m.patchChannel.mutateAsync({ id: current.id, ...body }), t.alerts.saved) : await run(m.createChannel.mutateAsync({ ...body, kind: v.kind }), t.alerts.saved);
    if (ok) setEditing(null);
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => open("new")}>
          {t.alerts.newChannel}
        </Button>
      </Space>
      <Table<ChannelJson>
        rowKey="id"
        size="middle"
        loading={channels.isLoading}
        dataSource={channels.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: t.alerts.empty }}
        columns={[
          { title: t.alerts.name, dataIndex: "name" },
          { title: t.alerts.kind, dataIndex: "kind", width: 110, render: (k: ChannelKind) => <Tag>{t.alerts.kinds[k]}</Tag> },
          { title: t.alerts.destination, dataIndex: "destination", render: (d: string) => <Typography.Text code>{d}</Typography.Text> },
          { title: t.alerts.secretsSet, dataIndex: "secrets_set", render: (s: string[]) => s.map((k) => <Tag key={k}>{k} ••••</Tag>) },
          {
            title: t.alerts.enabled,
            dataIndex: "enabled",
            width: 80,
            render: (on: boolean, c) => <Switch size="small" checked={on} onChange={(v) => void run(m.patchChannel.mutateAsync({ id: c.id, enabled: v }), t.alerts.saved)} />,
          },
          {
            title: t.common.actions,
            width: 260,
            render: (_: unknown, c) => (
              <RowActions name={c.name} onEdit={() => open(c)} onDelete={() => void run(m.deleteChannel.mutateAsync(c.id), t.alerts.deleted)}>
                <Button
                  size="small"
                  onClick={async () => {
                    try {
                      const r = await m.testChannel.mutateAsync(c.id);
                      enqueued(t.alerts.testQueued, `/tasks/${r.task_id}`);
                    } catch (err) {
                      failed(err);
                    }
                  }}
                >
                  {t.alerts.sendTest}
                </Button>
              </RowActions>
            ),
          },
        ]}
      />
      <EditDialog
        title={current ? t.alerts.editChannel : t.alerts.newChannel}
        open={editing !== null}
        saving={m.createChannel.isPending || m.patchChannel.isPending}
        width={560}
        onCancel={() => setEditing(null)}
        onSave={() => form.submit()}
      >
        <Form form={form} layout="vertical" onFinish={(v) => void submit(v)}>
          <Form.Item label={t.alerts.name} name="name" rules={[{ required: true, max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t.alerts.kind} name="kind">
            <Select disabled={!!current} options={CHANNEL_KINDS.map((k) => ({ value: k, label: t.alerts.kinds[k] }))} />
          </Form.Item>
          {kind && kind !== "email" && (
            <>
              <Form.Item label={t.alerts.url} name="url" extra={t.alerts.urlHint} rules={[{ required: !saved("url"), type: "url" }]}>
                <Input.Password placeholder={saved("url") ? t.alerts.keep : "https://"} autoComplete="off" visibilityToggle={false} />
              </Form.Item>
              {kind !== "wecom" && (
                <Form.Item
                  label={t.alerts.secret}
                  name="secret"
                  extra={kind === "dingtalk" ? t.alerts.secretHintDing : kind === "feishu" ? t.alerts.secretHintFeishu : t.alerts.secretHintWebhook}
                >
                  <Input.Password placeholder={saved("secret") ? t.alerts.keep : ""} autoComplete="off" visibilityToggle={false} />
                </Form.Item>
              )}
              {saved("secret") && (
                <Form.Item name="clearSecret" valuePropName="checked" label={t.alerts.removeSecret}>
                  <Switch size="small" />
                </Form.Item>
              )}
            </>
          )}
          {kind === "email" && (
            <>
              <Space.Compact style={{ width: "100%" }}>
                <Form.Item label={t.alerts.host} name="host" rules={[{ required: true }]} style={{ flex: 1 }}>
                  <Input placeholder="smtp.example.com" />
                </Form.Item>
                <Form.Item label={t.alerts.port} name="port" rules={[{ required: true }]}>
                  <InputNumber min={1} max={65535} />
                </Form.Item>
              </Space.Compact>
              <Form.Item label={t.alerts.secure} name="secure" valuePropName="checked">
                <Switch size="small" />
              </Form.Item>
              <Form.Item label={t.alerts.user} name="user">
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item label={t.alerts.password} name="password">
                <Input.Password placeholder={saved("password") ? t.alerts.keep : ""} autoComplete="new-password" visibilityToggle={false} />
              </Form.Item>
              <Form.Item label={t.alerts.from} name="from">
                <Input placeholder="qtask@example.com" />
              </Form.Item>
              <Form.Item label={t.alerts.to} name="to" rules={[{ required: true, type: "array", min: 1 }]}>
                <Select mode="tags" tokenSeparators={[",", " "]} open={false} />
              </Form.Item>
            </>
          )}
          <Form.Item label={t.alerts.enabled} name="enabled" valuePropName="checked">
            <Switch size="small" />
          </Form.Item>
        </Form>
      </EditDialog>
    </>
  );
}
