import { notFound } from "next/navigation";
import { ScheduleDetailPage } from "@/client/schedules/ScheduleDetailPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { allowed } = await requirePage("viewer");
  if (!allowed) return <Forbidden />;
  const { id } = await params;
  if (!/^[1-9][0-9]{0,14}$/.test(id)) notFound();
  return <ScheduleDetailPage id={id} />;
}
