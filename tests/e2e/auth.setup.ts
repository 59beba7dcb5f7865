/** Signs in as the test admin once and keeps the session for the other tests. */
import { expect, test as setup } from "@playwright/test";
import { ADMIN_STATE, E2E_ADMIN } from "../../playwright.config";

setup("sign in as admin", async ({ request }) => {
  const res = await request.post("/api/auth/login", { data: E2E_ADMIN });
  expect(res.status()).toBe(200);
  await request.storageState({ path: ADMIN_STATE });
});
