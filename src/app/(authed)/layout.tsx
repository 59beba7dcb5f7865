import type { ReactNode } from "react";
import { AuthedLayout } from "@/client/AuthedLayout";
import { requirePage } from "@/server/auth/page";

/** Every page in this group needs a signed-in user (each page checks its own role too). */
export default async function Layout({ children }: { children: ReactNode }) {
  const { me } = await requirePage("viewer");
  return <AuthedLayout me={me}>{children}</AuthedLayout>;
}
