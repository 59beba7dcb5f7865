import { notFound } from "next/navigation";
import { RunPage } from "@/client/tasks/RunPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page({ params }: { params: Promise<{ run_id: string }> }) {
  const { allowed } = await requirePage("viewer");
  if (!allowed) return <Forbidden />;
  const { run_id } = await params;
  if (!/^[1-9][0-9]{0,14}$/.test(run_id)) notFound();
  return <RunPage runId={run_id} />;
}
