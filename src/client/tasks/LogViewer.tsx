"use client";
/**
 * A run's log: level filter, text search, a script's stdout/stderr filter, live tail (follows new lines while the run is
 * live, fetching only lines after the last one), a link to every line (#L120 scrolls to it
 * and highlights it), and download.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { Alert, Button, Empty, Input, Select, Space, Switch, Typography } from "antd";
import { LOG_LEVELS, type LogLineJson } from "@/contracts/runs";
import { useI18n } from "../i18n";
import { useRunLogs } from "../hooks/useRunLogs";

const LEVEL_COLOR: Record<LogLineJson["level"], string> = { debug: "#8c8c8c", info: "#d9d9d9", warn: "#faad14", error: "#ff7875" };

function lineFromHash(): number | null {
  const m = /^#L(\d+)$/.exec(typeof window === "undefined" ? "" : window.location.hash);
  return m ? Number(m[1]) : null;
}

/** The stream a script's line came from (its data is exactly {"stream": …}), or null. */
function streamOf(data: unknown): "stdout" | "stderr" | null {
  const s = data && typeof data === "object" && Object.keys(data).length === 1 ? (data as { stream?: unknown }).stream : null;
  return s === "stdout" || s === "stderr" ? s : null;
}

export function LogViewer({ runId, live, script = false }: { runId: string; live: boolean; script?: boolean }) {
  const { t, lang } = useI18n();
  const [level, setLevel] = useState<string | null>(null);
  const [q, setQ] = useState<string | null>(null);
  const [stream, setStream] = useState<"stdout" | "stderr" | null>(null);
  const [follow, setFollow] = useState(true);
  const [target, setTarget] = useState<number | null>(null);
  const logs = useRunLogs(runId, level, q, stream);
  const box = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => logs.data?.lines ?? [], [logs.data]);

  useEffect(() => {
    setTarget(lineFromHash());
    const onHash = () => setTarget(lineFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  // A deep-linked line: scroll to it once it is loaded (and stop following).
  useEffect(() => {
    if (target === null) return;
    const el = document.getElementById(`L${target}`);
    if (el) {
      setFollow(false);
      el.scrollIntoView({ block: "center" });
    }
  }, [target, lines.length]);

  // Live tail: keep the newest line in view while following.
  useEffect(() => {
    if (follow && target === null && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines.length, follow, target]);

  return (
    <div>
      <Space wrap style={{ marginBottom: 8 }}>
        <Select
          style={{ width: 130 }}
          value={level ?? "all"}
          onChange={(v) => setLevel(v === "all" ? null : v)}
          options={[{ value: "all", label: t.run.levelAll }, ...LOG_LEVELS.map((l) => ({ value: l, label: `≥ ${t.level[l]}` }))]}
          aria-label="level"
        />
        {script && (
          <Select
            style={{ width: 130 }}
            value={stream ?? "all"}
            onChange={(v) => setStream(v === "all" ? null : (v as "stdout" | "stderr"))}
            options={[
              { value: "all", label: t.run.streamAll },
              { value: "stdout", label: "stdout" },
              { value: "stderr", label: "stderr" },
            ]}
            aria-label="stream"
          />
        )}
        <Input.Search allowClear placeholder={t.run.logSearch} style={{ width: 240 }} onSearch={(v) => setQ(v.trim() || null)} />
        {live && (
          <Space size={4}>
            <Switch size="small" checked={follow} onChange={setFollow} aria-label={t.run.follow} />
            <Typography.Text>{t.run.follow}</Typography.Text>
          </Space>
        )}
        <Button href={`/api/tasks/runs/${runId}/logs/download`} download>
          {t.run.downloadLog}
        </Button>
      </Space>
      {logs.data && logs.data.dropped > 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 8 }} message={t.run.logTruncatedView(lines.length)} />
      )}
      <div
        ref={box}
        data-testid="log-lines"
        style={{
          background: "#141414",
          color: "#d9d9d9",
          fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace",
          fontSize: 12.5,
          lineHeight: "20px",
          borderRadius: 6,
          padding: "8px 0",
          height: 420,
          overflow: "auto",
        }}
      >
        {lines.length === 0 ? (
          <div style={{ padding: 24 }}>
            <Empty
              description={<span style={{ color: "#8c8c8c" }}>{logs.isLoading ? t.common.loading : t.run.noLogs}</span>}
              image={Empty.PRESENTED_IMAGE_SIMPLE}
            />
          </div>
        ) : (
          lines.map((l) => (
            <div
              key={l.seq}
              id={`L${l.seq}`}
              data-seq={l.seq}
              style={{
                display: "flex",
                gap: 10,
                padding: "0 12px",
                background: target === l.seq ? "rgba(250, 173, 20, 0.25)" : undefined,
                whiteSpace: "pre-wrap",
                wordBreak: "break-all",
              }}
            >
              <a href={`#L${l.seq}`} style={{ color: "#595959", minWidth: 44, textAlign: "right", userSelect: "none" }}>
                {l.seq}
              </a>
              <span style={{ color: "#8c8c8c", whiteSpace: "nowrap" }}>
                {new Date(l.ts).toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB", { hour12: false })}
              </span>
              <span style={{ color: LEVEL_COLOR[l.level], minWidth: 44, textTransform: "uppercase" }}>{l.level}</span>
              {streamOf(l.data) ? (
                // A script's output: the stream instead of its data, stderr set apart.
                <>
                  <span style={{ color: streamOf(l.data) === "stderr" ? "#ff9c6e" : "#5cdbd3", minWidth: 48 }}>{streamOf(l.data)}</span>
                  <span>{l.message}</span>
                </>
              ) : (
                <span style={{ color: LEVEL_COLOR[l.level] === "#d9d9d9" ? undefined : LEVEL_COLOR[l.level] }}>
                  {l.message}
                  {l.data !== null && l.data !== undefined && <span style={{ color: "#8c8c8c" }}> {JSON.stringify(l.data)}</span>}
                </span>
              )}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
