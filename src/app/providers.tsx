"use client";
/** Client-side providers: language (with antd's locale), light/dark theme, React Query, server push (LiveProvider), antd's message context. */
import { useState, type ReactNode } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App } from "antd";
import { I18nProvider, type Lang } from "@/client/i18n";
import { LiveProvider } from "@/client/live/LiveProvider";
import { ThemeProvider, type ThemeChoice } from "@/client/theme";

export function Providers({ lang, theme, children }: { lang: Lang; theme: ThemeChoice; children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: { queries: { refetchOnWindowFocus: true, retry: 1, staleTime: 1_000 } },
      }),
  );
  return (
    <I18nProvider initial={lang}>
      <ThemeProvider initial={theme}>
        <QueryClientProvider client={client}>
          <LiveProvider>
            <App>{children}</App>
          </LiveProvider>
        </QueryClientProvider>
      </ThemeProvider>
    </I18nProvider>
  );
}
