import { Suspense } from "react";
import { redirect } from "next/navigation";
import { LoginPage } from "@/client/LoginPage";
import { pagePrincipal } from "@/server/auth/page";

export default async function Page() {
  // Already signed in: nothing to do here.
  if (await pagePrincipal()) redirect("/");
  return (
    <Suspense>
      <LoginPage />
    </Suspense>
  );
}
