import { notFound } from "next/navigation";
import { TaskWaitPage } from "@/client/tasks/TaskWaitPage";
import { Forbidden } from "@/client/Forbidden";
import { requirePage } from "@/server/auth/page";

export default async function Page({ params }: { params: Promise<{ task_id: string }> }) {
  const { allowed } = await requirePage("viewer");
  if (!allowed) return <Forbidden />;
  const { task_id } = await params;
  if (!/^[1-9][0-9]{0,14}$/.test(task_id)) notFound();
  return <TaskWaitPage taskId={task_id} />;
}
