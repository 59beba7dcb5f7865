"use client";
/**
 * What a run ran, as its handler recorded it (runs.info): for a script the command line, working
 * folder, process and host, and how it exited; for a screen or backtest what it saw (ProvenanceCard).
 */
import { Card, Descriptions, Tag, Typography } from "antd";
import { useT } from "../i18n";
import { ProvenanceCard, type Provenance } from "./ProvenanceCard";

interface ScriptInfo {
  argv?: string[];
  cwd?: string;
  pid?: number;
  host?: string;
  exit_code?: number | null;
  signal?: string | null;
}

export function RunInfoCard({ info }: { info: Record<string, unknown> | null }) {
  const t = useT();
  if (info && info.provenance && typeof info.provenance === "object") return <ProvenanceCard p={info.provenance as Provenance} />;
  if (!info || !Array.isArray(info.argv)) return null;
  const s = info as ScriptInfo;
  const exited = "exit_code" in s || "signal" in s;
  return (
    <Card size="small" title={t.run.script} data-testid="run-info">
      <Descriptions size="small" column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t.run.commandLine} span={3}>
          <Typography.Text code copyable style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
            {(s.argv ?? []).map((a) => (/[\s"'\\$`]/.test(a) || a === "" ? JSON.stringify(a) : a)).join(" ")}
          </Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t.run.workdir}>{s.cwd ?? "."}</Descriptions.Item>
        <Descriptions.Item label={t.run.pidHost}>
          {s.pid ?? "—"} @ {s.host ?? "—"}
        </Descriptions.Item>
        <Descriptions.Item label={t.run.exit}>
          {!exited ? (
            "—"
          ) : s.signal ? (
            <Tag color="red">{t.run.killedBy(s.signal)}</Tag>
          ) : (
            <Tag color={s.exit_code === 0 ? "green" : "red"}>{t.run.exitCode(s.exit_code ?? -1)}</Tag>
          )}
        </Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
