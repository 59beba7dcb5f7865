"use client";
/**
 * Light and dark: antd's dark algorithm on request, remembered per browser in a cookie (so the
 * server renders the chosen theme), following the system's preference until a choice is made.
 * With no choice the server renders light and the first client render switches to dark when the
 * system prefers it (a cookie cannot know the system's preference).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { ConfigProvider, theme as antdTheme } from "antd";
import { THEME_COOKIE, type ThemeChoice } from "./themeChoice";

export type { ThemeChoice };

export type ResolvedTheme = "light" | "dark";

interface ThemeState {
  choice: ThemeChoice;
  resolved: ResolvedTheme;
  setChoice(c: ThemeChoice): void;
}

const ThemeContext = createContext<ThemeState>({ choice: "system", resolved: "light", setChoice: () => undefined });

const DARK_QUERY = "(prefers-color-scheme: dark)";

/** Provides the theme and antd's algorithm for it. */
export function ThemeProvider({ initial, children }: { initial: ThemeChoice; children: ReactNode }) {
  const [choice, setChoiceState] = useState<ThemeChoice>(initial);
  const [systemDark, setSystemDark] = useState(false);
  useEffect(() => {
    const mq = window.matchMedia?.(DARK_QUERY);
    if (!mq) return;
    setSystemDark(mq.matches);
    const on = (e: MediaQueryListEvent) => setSystemDark(e.matches);
    mq.addEventListener("change", on);
    return () => mq.removeEventListener("change", on);
  }, []);
  const resolved: ResolvedTheme = choice === "system" ? (systemDark ? "dark" : "light") : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = resolved;
    document.documentElement.style.colorScheme = resolved;
  }, [resolved]);
  const setChoice = useCallback((c: ThemeChoice) => {
    document.cookie = `${THEME_COOKIE}=${c}; path=/; max-age=31536000; samesite=lax`;
    setChoiceState(c);
  }, []);
  const value = useMemo(() => ({ choice, resolved, setChoice }), [choice, resolved, setChoice]);
  return (
    <ThemeContext.Provider value={value}>
      <ConfigProvider theme={{ algorithm: resolved === "dark" ? antdTheme.darkAlgorithm : antdTheme.defaultAlgorithm }}>
        <PageBackground />
        {children}
      </ConfigProvider>
    </ThemeContext.Provider>
  );
}

/**
 * Colours for the app's own inline styles (blocks of JSON, highlighted rows, the heatmap's
 * frame), as CSS variables the theme sets from antd's tokens; the fallbacks are the light
 * theme's, for the first paint before the variables are set.
 */
export const THEME_VARS = {
  fill: "var(--qt-fill, #fafafa)",
  border: "var(--qt-border, #f0f0f0)",
  bgContainer: "var(--qt-bg-container, #ffffff)",
  bgLayout: "var(--qt-bg-layout, #f5f5f5)",
  textSecondary: "var(--qt-text-secondary, #8c8c8c)",
  textQuaternary: "var(--qt-text-quaternary, #bfbfbf)",
  errorBg: "var(--qt-error-bg, #fff2f0)",
  errorText: "var(--qt-error-text, #a8071a)",
  highlight: "var(--qt-highlight, #e6f4ff)",
  warningBg: "var(--qt-warning-bg, #fff1b8)",
} as const;

/** Sets the page's background and THEME_VARS from the theme's tokens. */
function PageBackground() {
  const { token } = antdTheme.useToken();
  useEffect(() => {
    const root = document.documentElement.style;
    const vars: Record<string, string> = {
      "--qt-fill": token.colorFillQuaternary,
      "--qt-border": token.colorBorderSecondary,
      "--qt-bg-container": token.colorBgContainer,
      "--qt-bg-layout": token.colorBgLayout,
      "--qt-text-secondary": token.colorTextSecondary,
      "--qt-text-quaternary": token.colorTextQuaternary,
      "--qt-error-bg": token.colorErrorBg,
      "--qt-error-text": token.colorErrorText,
      "--qt-highlight": token.colorPrimaryBg,
      "--qt-warning-bg": token.colorWarningBg,
    };
    for (const [k, v] of Object.entries(vars)) root.setProperty(k, v);
    document.body.style.background = token.colorBgLayout;
    document.body.style.color = token.colorText;
  }, [token]);
  return null;
}

/** The theme in use and the way to change it. */
export function useTheme(): ThemeState {
  return useContext(ThemeContext);
}
