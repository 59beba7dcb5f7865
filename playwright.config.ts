import fs from "node:fs";
import { defineConfig } from "@playwright/test";

// Browser tests use Debian's Chromium (Playwright's own browser download is not possible
// here); CHROMIUM_PATH overrides the location.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  throw new Error(
    `Chromium not found at ${chromium}. Install it (Debian/Ubuntu: \`apt-get install -y chromium\`) or set CHROMIUM_PATH to a Chromium/Chrome binary.`,
  );
}

const PORT = Number(process.env.E2E_PORT ?? 3100);
const DB = ".data/e2e/qtask.db";
/** The admin the test server is started with; auth.setup.ts signs in as it. */
export const E2E_ADMIN = { username: "admin", password: "e2e-admin-password" };
export const ADMIN_STATE = "test-results/.auth/admin.json";

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 30_000,
  workers: 1,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [["list"], ["json"]] : [["list"]],
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", dependencies: ["setup"], use: { storageState: ADMIN_STATE } },
  ],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    launchOptions: {
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  // The real launcher (migrations, build check, web server and worker) on a fresh SQLite file.
  webServer: {
    command: `rm -rf .data/e2e && node --import tsx scripts/start.ts`,
    url: `http://127.0.0.1:${PORT}/api/health`,
    env: {
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${DB}`,
      QTASK_NO_SEED: "1",
      DEMO_FUNDS: "200",
      ADMIN_USERNAME: E2E_ADMIN.username,
      ADMIN_PASSWORD: E2E_ADMIN.password,
      // Every answer of the production build is checked against its documented schema (a
      // mismatch is a 500 the tests see), as in development and the other suites.
      QTASK_VALIDATE_RESPONSES: "1",
      // The daily roll-up every 2 s instead of 5 min, so a trend shows the runs a test just made.
      QTASK_STATS_MS: "2000",
    },
    reuseExistingServer: false,
    timeout: 240_000,
    stdout: "ignore",
    stderr: "pipe",
  },
});
