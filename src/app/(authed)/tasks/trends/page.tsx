import { Suspense } from "react";
import { TrendsPage } from "@/client/tasks/TrendsPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page() {
  const { allowed } = await requirePage("viewer");
  if (!allowed) return <Forbidden />;
  return (
    <Suspense>
      <TrendsPage />
    </Suspense>
  );
}
