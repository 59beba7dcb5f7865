import type { Metadata } from "next";
import type { ReactNode } from "react";
import { cookies } from "next/headers";
import { AntdRegistry } from "@ant-design/nextjs-registry";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "qtask 任务队列",
  description: "量化研究任务队列",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const lang = (await cookies()).get("qtask_lang")?.value === "en" ? "en" : "zh";
  return (
    <html lang={lang === "zh" ? "zh-CN" : "en"}>
      <body style={{ margin: 0 }}>
        <AntdRegistry>
          <Providers lang={lang}>{children}</Providers>
        </AntdRegistry>
      </body>
    </html>
  );
}
