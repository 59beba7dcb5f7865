"use client";
/** Sign-in form; on success returns to the page that sent the user here. */
import { useState } from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { apiFetch, ApiError } from "./api";
import { useI18n } from "./i18n";
import { safeNext } from "./safeNext";
import { THEME_VARS } from "./theme";

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      await apiFetch("/api/auth/login", { method: "POST", body: JSON.stringify(values) });
      router.replace(safeNext(params.get("next"), window.location.origin));
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? (err.status === 401 ? t.login.badCredentials : err.message) : t.login.offline);
      setBusy(false);
    }
  }

  return (
    <div style={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", background: THEME_VARS.bgLayout }}>
      <Card style={{ width: 380 }}>
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "baseline" }}>
          <Typography.Title level={3} style={{ marginTop: 0 }}>
            {t.app.name}
          </Typography.Title>
          <Button type="link" size="small" onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {t.app.langSwitch}
          </Button>
        </div>
        <Typography.Paragraph type="secondary">{t.login.subtitle}</Typography.Paragraph>
        {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />}
        <Form layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
          <Form.Item label={t.login.username} name="username" rules={[{ required: true, message: t.login.usernameRequired }]}>
            <Input autoComplete="username" autoFocus maxLength={64} />
          </Form.Item>
          <Form.Item label={t.login.password} name="password" rules={[{ required: true, message: t.login.passwordRequired }]}>
            <Input.Password autoComplete="current-password" maxLength={200} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t.login.submit}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
