"use client";
/** Admins manage users (role, password reset, disable, delete) and, in TokensCard, API tokens. */
import { useState } from "react";
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag } from "antd";
import type { UserJson } from "@/contracts/users";
import { ROLES, type Role } from "@/contracts/roles";
import { useFeedback } from "./feedback";
import { formatTime } from "./format";
import { useUserMutations, useUsersQuery } from "./hooks/useUsers";
import { useMe } from "./me";
import { useI18n } from "./i18n";
import { TokensCard } from "./TokensCard";

export function UsersPage() {
  const me = useMe();
  const { t, lang } = useI18n();
  const roleOptions = ROLES.map((r) => ({ value: r, label: t.roles[r] }));
  const { modal } = App.useApp();
  const { run } = useFeedback();
  const users = useUsersQuery();
  const um = useUserMutations();
  const [creatingUser, setCreatingUser] = useState(false);
  const [resetting, setResetting] = useState<UserJson | null>(null);
  const [userForm] = Form.useForm();
  const [resetForm] = Form.useForm();

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
                  onChange={(on) => {
                    if (on) return void run(um.update.mutateAsync({ id: u.id, disabled: false }), t.users.enabledMsg);
                    // Disabling revokes the user's API tokens: say so before it happens.
                    modal.confirm({
                      title: t.users.confirmDisable(u.username),
                      okButtonProps: { danger: true },
                      onOk: () => run(um.update.mutateAsync({ id: u.id, disabled: true }), t.users.disabledMsg),
                    });
                  }}
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

      <TokensCard />

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
    </Space>
  );
}
