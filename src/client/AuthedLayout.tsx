"use client";
/**
 * The frame of every signed-in page: navigation on the left (the work pages on top, 任务队列
 * pinned at the bottom; fixed, full height), the user, the theme and language switches and
 * sign-out on top.
 */
import { useState, type ReactNode } from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { App, Button, Layout, Menu, Space, Tag, theme, Typography } from "antd";
import type { MeJson } from "@/contracts/auth";
import { roleAtLeast } from "@/contracts/roles";
import { apiFetch } from "./api";
import { LiveIndicator } from "./live/LiveIndicator";
import { useI18n } from "./i18n";
import { MeProvider, ROLE_COLOR } from "./me";
import { useTheme } from "./theme";

const SIDER_WIDTH = 200;
/** antd's dark sider colour (the Layout token siderBg): painted down the whole left column behind the fixed sider, so a full-page capture shows it unbroken too. */
const SIDER_BG = "#001529";

/** 浅色/深色: switches the theme (the first click leaves "follow the system" for an explicit choice). */
function ThemeSwitch() {
  const { t } = useI18n();
  const { resolved, setChoice } = useTheme();
  const next = resolved === "dark" ? "light" : "dark";
  return (
    <Button size="small" onClick={() => setChoice(next)} data-testid="theme-switch" data-theme={resolved} title={t.app.themeSwitchTitle}>
      {next === "dark" ? t.app.darkTheme : t.app.lightTheme}
    </Button>
  );
}

export function AuthedLayout({ me, children }: { me: MeJson; children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const pathname = usePathname();
  const router = useRouter();
  const { message } = App.useApp();
  const isAdmin = roleAtLeast(me.role, "admin");
  const { token } = theme.useToken();
  // Below antd's lg breakpoint the sider folds away (its trigger opens it over the content).
  const [narrow, setNarrow] = useState(false);
  const top = [
    { href: "/sniffer", label: t.nav.sniffer },
    { href: "/strategies", label: t.nav.strategies },
    { href: "/backtests", label: t.nav.backtests },
    { href: "/schedules", label: t.nav.schedules },
    ...(isAdmin
      ? [
          { href: "/users", label: t.nav.users },
          { href: "/alerts", label: t.nav.alerts },
          { href: "/audit", label: t.nav.audit },
        ]
      : []),
  ];
  const bottom = [{ href: "/tasks", label: t.nav.tasks }];
  const selected = [...top, ...bottom].filter((n) => pathname === n.href || pathname.startsWith(n.href + "/")).map((n) => n.href);
  const item = (n: { href: string; label: string }) => ({ key: n.href, label: <Link href={n.href}>{n.label}</Link> });

  async function logout() {
    try {
      await apiFetch("/api/auth/logout", { method: "POST" });
    } catch {
      message.error(t.common.logoutFailed);
      return;
    }
    router.replace("/login");
    router.refresh();
  }

  return (
    <MeProvider me={me}>
      <Layout
        style={{
          minHeight: "100vh",
          background: narrow ? undefined : `linear-gradient(to right, ${SIDER_BG} ${SIDER_WIDTH}px, ${token.colorBgLayout} ${SIDER_WIDTH}px)`,
        }}
      >
        {/* Fixed, full height: the navigation stays in view however long the page (a sticky
            sider of 100vh ended where the first screen did in a full-page view). */}
        <Layout.Sider
          width={SIDER_WIDTH}
          theme="dark"
          breakpoint="lg"
          collapsedWidth={0}
          onBreakpoint={setNarrow}
          data-testid="sider"
          style={{ position: "fixed", insetInlineStart: 0, top: 0, bottom: 0, height: "100vh", zIndex: 20, overflowY: "auto" }}
        >
          <div style={{ display: "flex", flexDirection: "column", height: "100%" }}>
            <div style={{ height: 56, display: "flex", alignItems: "center", padding: "0 20px" }}>
              <Link href="/tasks">
                <Typography.Text strong style={{ color: "#fff", fontSize: 17 }}>
                  {t.app.name}
                </Typography.Text>
              </Link>
            </div>
            <Menu theme="dark" mode="inline" selectedKeys={selected} items={top.map(item)} style={{ flex: 1, borderInlineEnd: 0 }} />
            <Menu
              theme="dark"
              mode="inline"
              selectedKeys={selected}
              items={bottom.map(item)}
              style={{ borderTop: "1px solid rgba(255,255,255,0.12)", paddingTop: 4, paddingBottom: 8 }}
            />
          </div>
        </Layout.Sider>
        <Layout style={{ marginInlineStart: narrow ? 0 : SIDER_WIDTH }}>
          <Layout.Header
            style={{
              background: token.colorBgContainer,
              padding: "0 24px",
              display: "flex",
              justifyContent: "flex-end",
              alignItems: "center",
              borderBottom: `1px solid ${token.colorBorderSecondary}`,
              height: 56,
              position: "sticky",
              top: 0,
              zIndex: 10,
            }}
          >
            <Space>
              <LiveIndicator />
              <ThemeSwitch />
              <Button type="link" size="small" href="/api/docs" target="_blank">
                {t.nav.apiDocs}
              </Button>
              <Button size="small" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang-switch">
                {t.app.langSwitch}
              </Button>
              <Typography.Text data-testid="me-username">{me.username}</Typography.Text>
              <Tag color={ROLE_COLOR[me.role]}>{t.roles[me.role]}</Tag>
              <Button size="small" onClick={() => void logout()}>
                {t.common.logout}
              </Button>
            </Space>
          </Layout.Header>
          <Layout.Content style={{ padding: 24, minWidth: 0 }}>{children}</Layout.Content>
        </Layout>
      </Layout>
    </MeProvider>
  );
}
