"use client";
/** What the rules and channels tabs share: a row's edit and delete buttons, and the create/edit dialog. */
import type { ReactNode } from "react";
import { Button, Modal, Popconfirm, Space } from "antd";
import { useI18n } from "../i18n";

/** Edit and delete (with a confirmation) for a named row, after any `children` buttons. */
export function RowActions({ name, onEdit, onDelete, children }: { name: string; onEdit(): void; onDelete(): void; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <Space>
      {children}
      <Button size="small" onClick={onEdit}>
        {t.common.edit}
      </Button>
      <Popconfirm title={t.alerts.confirmDelete(name)} onConfirm={onDelete}>
        <Button size="small" danger>
          {t.common.delete}
        </Button>
      </Popconfirm>
    </Space>
  );
}

/** The create/edit dialog: save submits the form inside it. */
export function EditDialog(props: { title: string; open: boolean; saving: boolean; width: number; onCancel(): void; onSave(): void; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <Modal
      title={props.title}
      open={props.open}
      okText={t.common.save}
      cancelText={t.common.cancel}
      onCancel={props.onCancel}
      onOk={props.onSave}
      confirmLoading={props.saving}
      destroyOnHidden
      width={props.width}
    >
      {props.children}
    </Modal>
  );
}
