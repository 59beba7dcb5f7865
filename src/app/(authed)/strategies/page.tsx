import { Suspense } from "react";
import { StrategiesPage } from "@/client/domain/StrategiesPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page() {
  const { allowed } = await requirePage("viewer");
  if (!allowed) return <Forbidden />;
  return (
    <Suspense>
      <StrategiesPage />
    </Suspense>
  );
}
