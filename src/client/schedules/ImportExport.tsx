"use client";
/**
 * 导出 / 导入 of schedules, on /schedules and /tasks. 导出 downloads every schedule as YAML
 * (the format of config/tasks.yaml). 导入 (admins only; the server enforces it too) takes a
 * YAML file or pasted text, previews what would change (a dry run: added, changed with each
 * field's before → after, removed in 替换模式) and applies exactly the previewed text and mode
 * only after that preview. An invalid file lists each problem with its line and changes nothing.
 */
import { useState } from "react";
import { Alert, App, Button, Checkbox, Input, Modal, Space, Tooltip, Typography, Upload } from "antd";
import type { ImportResult } from "@/contracts/catalogue";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { SCHEDULES_EXPORT_URL, useScheduleImport } from "../hooks/useCatalogue";
import { ImportDiff, ImportError } from "./ImportPreview";

type Mode = ImportResult["mode"];

/** The import dialog; mount one per opening so it starts empty. */
export function ImportModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useI18n().t;
  const im = t.schedules.importer;
  const { message } = App.useApp();
  const mutation = useScheduleImport();
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [replace, setReplace] = useState(false);
  const [preview, setPreview] = useState<{ result: ImportResult; text: string; mode: Mode } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<"preview" | "apply" | null>(null);
  const mode: Mode = replace ? "replace" : "merge";
  // Apply sends exactly what was previewed; any edit since then needs a new preview.
  const stale = !!preview && (preview.text !== text || preview.mode !== mode);
  const canApply = !!preview && !stale && preview.result.changes.length > 0;

  const runPreview = async () => {
    if (!text.trim()) return void message.warning(im.needText);
    setBusy("preview");
    setError(null);
    try {
      const result = await mutation.mutateAsync({ text, mode, dryRun: true });
      setPreview({ result, text, mode });
    } catch (err) {
      setPreview(null);
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const apply = async () => {
    if (!preview || stale) return;
    setBusy("apply");
    setError(null);
    try {
      const r = await mutation.mutateAsync({ text: preview.text, mode: preview.mode, dryRun: false });
      message.success(im.applied(r.summary.added, r.summary.changed, r.summary.removed));
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      title={im.title}
      open={open}
      onCancel={onClose}
      width={860}
      destroyOnHidden
      footer={
        <Space>
          <Button onClick={onClose}>{t.common.cancel}</Button>
          <Button onClick={() => void runPreview()} loading={busy === "preview"} type={canApply ? "default" : "primary"} data-testid="import-preview">
            {im.preview}
          </Button>
          <Button
            type="primary"
            danger={!!preview && preview.result.summary.removed > 0}
            disabled={!canApply || busy !== null}
            loading={busy === "apply"}
            onClick={() => void apply()}
            data-testid="import-apply"
          >
            {im.apply}
          </Button>
        </Space>
      }
    >
      <Space orientation="vertical" size="middle" style={{ width: "100%" }} data-testid="import-modal">
        <Space wrap>
          <Upload
            accept=".yaml,.yml,application/yaml,text/yaml"
            showUploadList={false}
            maxCount={1}
            beforeUpload={(file) => {
              // Read it here; nothing is uploaded until 预览.
              file
                .text()
                .then((content) => {
                  setText(content);
                  setFileName(file.name);
                })
                .catch(() => message.error(im.readFailed));
              return false;
            }}
          >
            <Button data-testid="import-file">{im.pickFile}</Button>
          </Upload>
          {fileName && <Typography.Text type="secondary">{im.fileLoaded(fileName)}</Typography.Text>}
        </Space>
        <div>
          <Typography.Text type="secondary" style={{ display: "block", marginBottom: 4 }}>
            {im.textLabel}
          </Typography.Text>
          <Input.TextArea
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setFileName(null);
            }}
            rows={preview || error ? 6 : 12}
            spellCheck={false}
            aria-label={im.textLabel}
            placeholder={'version: 1\nschedules:\n  - name: …\n    task_type: …\n    kind: cron\n    cron: "0 15 * * 1-5"'}
            style={{ fontFamily: "monospace", fontSize: 12 }}
            data-testid="import-text"
          />
        </div>
        <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)} data-testid="import-replace">
          {im.replaceMode}
          <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
            {im.replaceHelp}
          </Typography.Text>
        </Checkbox>
        {error !== null && <ImportError error={error} />}
        {preview && stale && <Alert type="info" showIcon title={im.stale} />}
        {preview && !stale && <ImportDiff result={preview.result} />}
        {!preview && error === null && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {im.previewFirst}
          </Typography.Text>
        )}
      </Space>
    </Modal>
  );
}

/** The 导出 button, and 导入 with its dialog for admins. */
export function ImportExport() {
  const t = useI18n().t;
  const isAdmin = useCan("admin");
  const [opening, setOpening] = useState({ open: false, key: 0 });
  return (
    <>
      <Space>
        <Tooltip title={t.schedules.exportTip}>
          <Button href={SCHEDULES_EXPORT_URL} download data-testid="schedules-export">
            {t.schedules.exportButton}
          </Button>
        </Tooltip>
        {isAdmin && (
          <Tooltip title={t.schedules.importTip}>
            <Button onClick={() => setOpening((o) => ({ open: true, key: o.key + 1 }))} data-testid="schedules-import">
              {t.schedules.importButton}
            </Button>
          </Tooltip>
        )}
      </Space>
      {isAdmin && opening.key > 0 && <ImportModal key={opening.key} open={opening.open} onClose={() => setOpening((o) => ({ ...o, open: false }))} />}
    </>
  );
}
