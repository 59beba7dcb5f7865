/**
 * `npm test`: every suite, in order — type check, unit and component tests, the Python
 * helper's tests (sdk/python, with the system's python3), the integration
 * suite (SQLite always; PostgreSQL when TEST_POSTGRES_URL is set), then the browser and HTTP
 * tests against the real launcher (after building the app when sources changed). Ends with
 * one line "N passed, N failed, N skipped" over all suites, and exits non-zero on any failure.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfStale } from "./lib/build";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const reports = path.join(root, ".data", "test-reports");
fs.rmSync(reports, { recursive: true, force: true });
fs.mkdirSync(reports, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const bin = (pkg: string, file: string) => path.join(root, "node_modules", pkg, file);

const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps: string[] = [];

function step(name: string, args: string[], extraEnv: Record<string, string> = {}): boolean {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const res = spawnSync(process.execPath, args, { stdio: "inherit", env: { ...env, ...extraEnv } });
  console.log(
    `=== ${name}: ${res.status === 0 ? "ok" : `FAILED (exit ${res.status ?? res.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`,
  );
  if (res.status !== 0) failedSteps.push(name);
  return res.status === 0;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}

step("type check", [bin("typescript", "bin/tsc"), "--noEmit", "-p", "."]);

/** The Python helper's own tests (sdk/python), with the system's python3; adds their counts to the totals. */
function pythonSdk(): void {
  const name = "Python helper tests (python3 -m unittest)";
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const res = spawnSync("python3", ["-B", "-m", "unittest", "discover", "-s", "sdk/python/tests", "-v"], { env, encoding: "utf8" });
  const out = `${res.stdout ?? ""}${res.stderr ?? ""}`;
  process.stdout.write(out);
  const ran = Number(/^Ran (\d+) tests?/m.exec(out)?.[1] ?? 0);
  const failed = /FAILED \((?:failures=(\d+))?(?:, )?(?:errors=(\d+))?/.exec(out);
  const bad = failed ? Number(failed[1] ?? 0) + Number(failed[2] ?? 0) : 0;
  const skipped = Number(/skipped=(\d+)/.exec(out)?.[1] ?? 0);
  const ok = res.status === 0;
  totals.passed += ran - bad - skipped;
  totals.failed += ok ? bad : Math.max(bad, 1);
  totals.skipped += skipped;
  if (!ok) failedSteps.push(name);
  console.log(
    `=== ${name}: ${ok ? "ok" : `FAILED (${res.error ? res.error.message : `exit ${res.status}`})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`,
  );
}

/** Runs vitest projects and adds their counts to the totals. */
function vitest(name: string, projects: string[]): void {
  const out = path.join(reports, `vitest-${projects.join("-")}.json`);
  step(name, [
    bin("vitest", "vitest.mjs"),
    "run",
    ...projects.flatMap((p) => ["--project", p]),
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${out}`,
  ]);
  const v = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(out);
  if (v) {
    totals.passed += v.numPassedTests;
    totals.failed += v.numFailedTests;
    totals.skipped += v.numPendingTests + v.numTodoTests;
  }
}

// Integration tests run alone: they start worker processes and are sensitive to a busy CPU.
vitest("unit and component tests (vitest)", ["unit", "components"]);
pythonSdk();
vitest("integration tests on SQLite and PostgreSQL (vitest)", ["integration"]);

try {
  console.log("\n=== build (when sources changed) ===");
  buildIfStale(root);
  const pwJson = path.join(reports, "playwright.json");
  step("browser and HTTP tests (playwright)", [bin("@playwright/test", "cli.js"), "test"], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson });
  const p = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(pwJson);
  if (p) {
    totals.passed += p.stats.expected + p.stats.flaky;
    totals.failed += p.stats.unexpected;
    totals.skipped += p.stats.skipped;
  }
} catch (err) {
  console.error(err);
  failedSteps.push("build");
}

console.log("");
if (failedSteps.length > 0) console.log(`failed steps: ${failedSteps.join(", ")}`);
if (failedSteps.length > 0 && totals.failed === 0) totals.failed = 1; // a step that failed outside a test still fails the run
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length > 0 ? 1 : 0);
