"use client";
/** API tokens on the users page: list, create (the secret is shown once) and revoke. */
import { useState } from "react";
import { Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography } from "antd";
import { DEFAULT_TOKEN_DAYS, type TokenJson } from "@/contracts/auth";
import { ROLES, type Role } from "@/contracts/roles";
import { useFeedback } from "./feedback";
import { formatTime } from "./format";
import { useTokenMutations, useTokensQuery } from "./hooks/useTokens";
import { ROLE_COLOR } from "./me";
import { useI18n } from "./i18n";

export function TokensCard() {
  const { t, lang } = useI18n();
  const roleOptions = ROLES.map((r) => ({ value: r, label: t.roles[r] }));
  const { run, failed } = useFeedback();
  const tokens = useTokensQuery();
  const tm = useTokenMutations();
  const [creatingToken, setCreatingToken] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [tokenForm] = Form.useForm();

  return (
    <>
      <Card
        title={t.users.tokens}
        extra={
          <Button type="primary" onClick={() => setCreatingToken(true)}>
            {t.users.newToken}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t.users.tokenHelp}</Typography.Paragraph>
        <Table<TokenJson>
          rowKey="id"
          size="middle"
          loading={tokens.isLoading}
          dataSource={tokens.data?.items ?? []}
          pagination={false}
          columns={[
            { title: t.users.tokenName, dataIndex: "name" },
            { title: t.users.prefix, dataIndex: "prefix", width: 130, render: (v: string) => <Typography.Text code>{v}…</Typography.Text> },
            { title: t.users.role, dataIndex: "role", width: 90, render: (r: Role) => <Tag color={ROLE_COLOR[r]}>{t.roles[r]}</Tag> },
            { title: t.users.createdBy, dataIndex: "created_by", width: 110 },
            { title: t.users.lastUsed, dataIndex: "last_used_at", width: 180, render: (v: string | null) => formatTime(v, lang) },
            { title: t.users.expires, dataIndex: "expires_at", width: 180, render: (v: string | null) => (v ? formatTime(v, lang) : t.common.never) },
            {
              title: t.users.state,
              width: 90,
              render: (_: unknown, tk) =>
                tk.revoked_at ? (
                  <Tag>{t.users.revoked}</Tag>
                ) : tk.expires_at && new Date(tk.expires_at) < new Date() ? (
                  <Tag>{t.users.expired}</Tag>
                ) : (
                  <Tag color="green">{t.users.active}</Tag>
                ),
            },
            {
              title: t.common.actions,
              width: 90,
              render: (_: unknown, tk) =>
                !tk.revoked_at && (
                  <Popconfirm title={t.users.confirmRevoke(tk.name)} onConfirm={() => void run(tm.revoke.mutateAsync(tk.id), t.users.revokedMsg)}>
                    <Button size="small" danger>
                      {t.users.revoke}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>

      <Modal
        title={t.users.newToken}
        open={creatingToken}
        okText={t.common.create}
        cancelText={t.common.cancel}
        confirmLoading={tm.create.isPending}
        onCancel={() => setCreatingToken(false)}
        onOk={() => tokenForm.submit()}
        destroyOnHidden
      >
        <Form
          form={tokenForm}
          layout="vertical"
          initialValues={{ role: "operator", expires: DEFAULT_TOKEN_DAYS }}
          onFinish={async ({ expires, ...v }: { name: string; role: Role; expires: number | "never" }) => {
            try {
              const res = await tm.create.mutateAsync({ ...v, expires_in_days: expires === "never" ? null : expires });
              setCreatingToken(false);
              tokenForm.resetFields();
              setSecret(res.secret);
            } catch (err) {
              failed(err);
            }
          }}
        >
          <Form.Item label={t.users.tokenName} name="name" rules={[{ required: true, message: t.users.tokenNameRequired }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item label={t.users.role} name="role">
            <Select options={roleOptions} />
          </Form.Item>
          <Form.Item label={t.users.expiresIn} name="expires">
            <Select
              data-testid="token-expiry"
              options={[
                ...[30, DEFAULT_TOKEN_DAYS, 365].map((n) => ({ value: n, label: t.users.expiresDays(n) })),
                { value: "never", label: t.users.neverExpires },
              ]}
            />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        title={t.users.tokenCreated}
        open={secret !== null}
        onOk={() => setSecret(null)}
        onCancel={() => setSecret(null)}
        okText={t.users.saved}
        cancelButtonProps={{ style: { display: "none" } }}
      >
        <Typography.Paragraph>{t.users.copyNow}</Typography.Paragraph>
        <Typography.Paragraph copyable code data-testid="token-secret">
          {secret}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}
