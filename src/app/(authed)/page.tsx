import { redirect } from "next/navigation";
import { requirePage } from "@/server/auth/page";

/** The start page is the task queue. */
export default async function Page() {
  await requirePage("viewer");
  redirect("/tasks");
}
