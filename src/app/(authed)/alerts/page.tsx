import { AlertsPage } from "@/client/alerts/AlertsPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page() {
  const { allowed } = await requirePage("admin");
  return allowed ? <AlertsPage /> : <Forbidden />;
}
