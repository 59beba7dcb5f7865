"use client";
/**
 * The UI language: Simplified Chinese by default, English on request. The choice is kept in
 * a cookie so server rendering uses it too; antd's own texts follow.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import enUS from "antd/locale/en_US";
import { en } from "./en";
import { zh, type Dict } from "./zh";

export type Lang = "zh" | "en";
export const LANG_COOKIE = "qtask_lang";
const DICTS: Record<Lang, Dict> = { zh, en };

interface I18n {
  lang: Lang;
  t: Dict;
  setLang(lang: Lang): void;
}

const I18nContext = createContext<I18n>({ lang: "zh", t: zh, setLang: () => undefined });

export function I18nProvider({ initial, children }: { initial: Lang; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initial);
  const setLang = useCallback((l: Lang) => {
    document.cookie = `${LANG_COOKIE}=${l}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    setLangState(l);
  }, []);
  const value = useMemo(() => ({ lang, t: DICTS[lang], setLang }), [lang, setLang]);
  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider
        locale={lang === "zh" ? zhCN : enUS}
        button={{ autoInsertSpace: false }}
        theme={{ token: { colorPrimary: "#1f6feb", borderRadius: 6 } }}
      >
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

/** The current dictionary, language and switch. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}

/** The current dictionary. */
export function useT(): Dict {
  return useContext(I18nContext).t;
}
