import type { Metadata } from "next";
import type { ReactNode } from "react";
import { cookies } from "next/headers";
import { AntdRegistry } from "@ant-design/nextjs-registry";
import { THEME_COOKIE, themeChoiceOf } from "@/client/themeChoice";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "qtask 任务队列",
  description: "量化研究任务队列",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const jar = await cookies();
  const lang = jar.get("qtask_lang")?.value === "en" ? "en" : "zh";
  const theme = themeChoiceOf(jar.get(THEME_COOKIE)?.value);
  return (
    <html lang={lang === "zh" ? "zh-CN" : "en"} data-theme={theme === "dark" ? "dark" : "light"}>
      <body style={{ margin: 0 }}>
        <AntdRegistry>
          <Providers lang={lang} theme={theme}>
            {children}
          </Providers>
        </AntdRegistry>
      </body>
    </html>
  );
}
