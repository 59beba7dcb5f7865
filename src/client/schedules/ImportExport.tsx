"use client";
/**
 * 导出 / 导入 of schedules, on /schedules and /tasks. 导出 downloads every schedule as YAML
 * (the format of config/tasks.yaml). 导入 (admins only; the server enforces it too) takes a
 * YAML file or pasted text, previews what would change (a dry run: added, changed with each
 * field's before → after, removed in 替换模式) and applies exactly the previewed text and mode
 * only after that preview. An invalid file lists each problem with its line and changes nothing.
 */
import { useState } from "react";
import { Alert, App, Button, Checkbox, Input, Modal, Space, Table, Tag, Tooltip, Typography, Upload } from "antd";
import type { ImportResult } from "@/contracts/catalogue";
import { ApiError } from "../api";
import { useI18n } from "../i18n";
import { useCan } from "../me";
import { SCHEDULES_EXPORT_URL, useScheduleImport } from "../hooks/useCatalogue";

type Change = ImportResult["changes"][number];
type Mode = ImportResult["mode"];

interface Problem {
  line: number | null;
  path: string;
  message: string;
}

/** The line-located problems of a 400 from the import (empty for any other error). */
export function problemsOf(err: unknown): Problem[] {
  if (!(err instanceof ApiError) || err.status !== 400) return [];
  const problems = (err.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems)
    ? problems.map((p: { line?: unknown; path?: unknown; message?: unknown }) => ({
        line: typeof p.line === "number" ? p.line : null,
        path: typeof p.path === "string" ? p.path : "",
        message: String(p.message ?? ""),
      }))
    : [];
}

/** A spec value as short text: strings as they are, the rest as JSON; "—" when absent. */
function show(v: unknown): string {
  if (v === undefined || v === null) return "—";
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** The fields that say what an added or removed schedule is. */
const KEY_FIELDS = ["task_type", "kind", "cron", "interval_seconds", "after_close_minutes", "run_at", "enabled"];

const ACTION_COLOR: Record<Change["action"], string> = { add: "green", change: "blue", remove: "red" };

/** What an import would do (or did): the counts, then one row per added, changed or removed schedule. */
export function ImportDiff({ result }: { result: ImportResult }) {
  const t = useI18n().t;
  const im = t.schedules.importer;
  const label: Record<Change["action"], string> = { add: im.added, change: im.changed, remove: im.removed };
  const { summary } = result;
  return (
    <Space orientation="vertical" size="small" style={{ width: "100%" }} data-testid="import-diff">
      <Space size="middle" wrap data-testid="import-summary">
        <Typography.Text>
          {im.added}{" "}
          <Typography.Text strong style={{ color: summary.added ? "#389e0d" : undefined }}>
            {summary.added}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text>
          {im.changed}{" "}
          <Typography.Text strong style={{ color: summary.changed ? "#1f6feb" : undefined }}>
            {summary.changed}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text>
          {im.removed}{" "}
          <Typography.Text strong style={{ color: summary.removed ? "#cf1322" : undefined }}>
            {summary.removed}
          </Typography.Text>
        </Typography.Text>
        <Typography.Text type="secondary">
          {im.unchanged} {summary.unchanged}
        </Typography.Text>
      </Space>
      {summary.removed > 0 && <Alert type="warning" showIcon title={im.removeWarning(summary.removed)} />}
      {result.changes.length === 0 ? (
        <Typography.Text type="secondary" data-testid="import-no-changes">
          {im.noChanges}
        </Typography.Text>
      ) : (
        <Table<Change>
          rowKey={(c) => `${c.action}:${c.name}`}
          size="small"
          pagination={false}
          dataSource={result.changes}
          scroll={{ y: 300 }}
          data-testid="import-changes"
          columns={[
            {
              title: im.col.action,
              dataIndex: "action",
              width: 80,
              render: (a: Change["action"]) => (
                <Tag color={ACTION_COLOR[a]} style={{ marginInlineEnd: 0 }}>
                  {label[a]}
                </Tag>
              ),
            },
            { title: im.col.name, dataIndex: "name", width: 200, render: (n: string) => <span style={{ wordBreak: "break-all" }}>{n}</span> },
            {
              title: im.col.details,
              render: (_: unknown, c) => {
                if (c.action === "change")
                  return (
                    <div style={{ fontSize: 12 }}>
                      {c.fields.map((f) => (
                        <div key={f} data-testid="import-field" style={{ wordBreak: "break-all" }}>
                          <Typography.Text code>{f}</Typography.Text>: <Typography.Text type="secondary">{show(c.before?.[f])}</Typography.Text> →{" "}
                          <Typography.Text>{show(c.after?.[f])}</Typography.Text>
                        </div>
                      ))}
                    </div>
                  );
                const spec = c.after ?? c.before ?? {};
                return (
                  <Typography.Text type="secondary" style={{ fontSize: 12, wordBreak: "break-all" }}>
                    {KEY_FIELDS.filter((f) => spec[f] !== undefined)
                      .map((f) => `${f}: ${show(spec[f])}`)
                      .join(" · ")}
                  </Typography.Text>
                );
              },
            },
          ]}
        />
      )}
    </Space>
  );
}

/** Why an import failed: every problem of an invalid file as "第 N 行 path: message", or the error's message. */
export function ImportError({ error }: { error: unknown }) {
  const t = useI18n().t;
  const problems = problemsOf(error);
  return (
    <Alert
      type="error"
      showIcon
      data-testid="import-error"
      title={problems.length > 0 ? t.schedules.importer.invalid : error instanceof ApiError ? error.message : t.common.failed}
      description={
        problems.length > 0 ? (
          <ul style={{ margin: 0, paddingInlineStart: 18, maxHeight: 240, overflow: "auto" }}>
            {problems.map((p, i) => (
              <li key={i} data-testid="import-problem" style={{ wordBreak: "break-word" }}>
                {t.schedules.importer.problem(p.line, p.path, p.message)}
              </li>
            ))}
          </ul>
        ) : undefined
      }
    />
  );
}

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
