/**
 * Builds the Next.js app when the build is missing or stale. Stale = the fingerprint of the
 * sources (paths, sizes, modification times) differs from the one recorded at the last build.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const INPUTS = ["src", "public", "next.config.ts", "package.json", "package-lock.json", "tsconfig.json"];
const STAMP = path.join(".next", "qtask-build-fingerprint");

function walk(p: string, out: string[]): void {
  if (!fs.existsSync(p)) return;
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name), out);
  } else {
    out.push(`${p}:${st.size}:${Math.floor(st.mtimeMs)}`);
  }
}

/** Fingerprint of everything that goes into the build. */
export function sourceFingerprint(root: string): string {
  const files: string[] = [];
  for (const i of INPUTS) walk(path.join(root, i), files);
  return createHash("sha256")
    .update(files.map((f) => path.relative(root, f)).join("\n"))
    .digest("hex");
}

/** Runs `next build` unless the recorded fingerprint matches; returns whether it built. */
export function buildIfStale(root: string, log: (m: string) => void = console.log): boolean {
  const fingerprint = sourceFingerprint(root);
  const stamp = path.join(root, STAMP);
  const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === fingerprint;
  if (built) return false;
  log("building the web app (next build) — the first start takes a minute or two…");
  const res = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (res.status !== 0) throw new Error(`next build failed (exit ${res.status})`);
  fs.writeFileSync(stamp, fingerprint);
  return true;
}
