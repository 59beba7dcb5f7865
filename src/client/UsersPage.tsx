"use client";
/** Admins manage users (role, password reset, disable, delete) and API tokens (create, shown once; revoke). */
import { useState } from "react";
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from "antd";
import type { TokenJson } from "@/contracts/auth";
import type { UserJson } from "@/contracts/users";
import { ROLES, type Role } from "@/contracts/roles";
import { ApiError } from "./api";
import { formatTime } from "./format";
import { useTokenMutations, useTokensQuery } from "./hooks/useTokens";
import { useUserMutations, useUsersQuery } from "./hooks/useUsers";
import { ROLE_COLOR, useMe } from "./me";
import { useI18n } from "./i18n";

export function UsersPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const roleOptions = ROLES.map((r) => ({ value: r, label: t.roles[r] }));
  const errorText = (err: unknown) => (err instanceof ApiError ? err.message : t.common.failed);
  const { message } = App.useApp();
  const users = useUsersQuery();
  const tokens = useTokensQuery();
  const um = useUserMutations();
  const tm = useTokenMutations();
  const [creatingUser, setCreatingUser] = useState(false);
  const [resetting, setResetting] = useState<UserJson | null>(null);
  const [creatingToken, setCreatingToken] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [userForm] = Form.useForm();
  const [resetForm] = Form.useForm();
  const [tokenForm] = Form.useForm();

  const run = async (p: Promise<unknown>, ok: string) => {
    try {
      await p;
      message.success(ok);
      return true;
    } catch (err) {
      message.error(errorText(err));
      return false;
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }}>
      <Card
        title={t.users.users}
        extra={
          <Button type="primary" onClick={() => setCreatingUser(true)}>
            {t.users.newUser}
          </Button>
        }
      >
        <Table<UserJson>
          rowKey="id"
          size="middle"
          loading={users.isLoading}
          dataSource={users.data?.items ?? []}
          pagination={false}
          columns={[
            {
              title: t.users.username,
              dataIndex: "username",
              render: (v: string, u) =>
                u.id === me.id ? (
                  <Space>
                    {v}
                    <Tag>{t.common.you}</Tag>
                  </Space>
                ) : (
                  v
                ),
            },
            {
              title: t.users.role,
              dataIndex: "role",
              width: 140,
              render: (role: Role, u) => (
                <Select<Role>
                  size="small"
                  value={role}
                  options={roleOptions}
                  style={{ width: 110 }}
                  aria-label={`${u.username} ${t.users.role}`}
                  onChange={(r) => void run(um.update.mutateAsync({ id: u.id, role: r }), t.users.roleChanged(u.username, t.roles[r]))}
                />
              ),
            },
            {
              title: t.users.enabled,
              dataIndex: "disabled",
              width: 90,
              render: (disabled: boolean, u) => (
                <Switch
                  size="small"
                  checked={!disabled}
                  aria-label={`${u.username} ${t.users.enabled}`}
                  onChange={(on) => void run(um.update.mutateAsync({ id: u.id, disabled: !on }), on ? t.users.enabledMsg : t.users.disabledMsg)}
                />
              ),
            },
            { title: t.users.lastLogin, dataIndex: "last_login_at", width: 190, render: (v: string | null) => formatTime(v, lang) },
            { title: t.users.createdAt, dataIndex: "created_at", width: 190, render: (v: string) => formatTime(v, lang) },
            {
              title: t.common.actions,
              width: 170,
              render: (_: unknown, u) => (
                <Space>
                  <Button size="small" onClick={() => setResetting(u)}>
                    {t.users.resetPassword}
                  </Button>
                  <Popconfirm title={t.users.confirmDelete(u.username)} onConfirm={() => void run(um.remove.mutateAsync(u.id), t.users.deleted)}>
                    <Button size="small" danger disabled={u.id === me.id}>
                      {t.common.delete}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      </Card>

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
        title={t.users.newUser}
        open={creatingUser}
        okText={t.common.create}
        cancelText={t.common.cancel}
        confirmLoading={um.create.isPending}
        onCancel={() => setCreatingUser(false)}
        onOk={() => userForm.submit()}
        destroyOnHidden
      >
        <Form
          form={userForm}
          layout="vertical"
          initialValues={{ role: "viewer" }}
          onFinish={async (v: { username: string; password: string; role: Role }) => {
            if (await run(um.create.mutateAsync(v), t.users.created(v.username))) {
              setCreatingUser(false);
              userForm.resetFields();
            }
          }}
        >
          <Form.Item
            label={t.users.username}
            name="username"
            rules={[
              { required: true, message: t.users.usernameRequired },
              { pattern: /^[A-Za-z0-9_.@-]{1,64}$/, message: t.users.usernameRule },
            ]}
          >
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item label={t.users.initialPassword} name="password" rules={[{ required: true, min: 10, message: t.users.passwordRule }]}>
            <Input.Password maxLength={200} autoComplete="new-password" />
          </Form.Item>
          <Form.Item label={t.users.role} name="role">
            <Select options={roleOptions} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        title={t.users.resetTitle(resetting?.username ?? "")}
        open={resetting !== null}
        okText={t.common.confirm}
        cancelText={t.common.cancel}
        onCancel={() => setResetting(null)}
        onOk={() => resetForm.submit()}
        destroyOnHidden
      >
        <Form
          form={resetForm}
          layout="vertical"
          onFinish={async (v: { password: string }) => {
            if (resetting && (await run(um.update.mutateAsync({ id: resetting.id, password: v.password }), t.users.passwordReset)))
              setResetting(null);
          }}
        >
          <Form.Item label={t.users.newPassword} name="password" rules={[{ required: true, min: 10, message: t.users.passwordRule }]}>
            <Input.Password maxLength={200} autoComplete="new-password" />
          </Form.Item>
        </Form>
      </Modal>

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
          initialValues={{ role: "operator" }}
          onFinish={async (v: { name: string; role: Role; expires_in_days?: number }) => {
            try {
              const res = await tm.create.mutateAsync(v);
              setCreatingToken(false);
              tokenForm.resetFields();
              setSecret(res.secret);
            } catch (err) {
              message.error(errorText(err));
            }
          }}
        >
          <Form.Item label={t.users.tokenName} name="name" rules={[{ required: true, message: t.users.tokenNameRequired }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item label={t.users.role} name="role">
            <Select options={roleOptions} />
          </Form.Item>
          <Form.Item label={t.users.expiresIn} name="expires_in_days">
            <InputNumber min={1} max={3650} style={{ width: "100%" }} />
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
    </Space>
  );
}
