/**
 * Runs once before the integration suite: migrates a SQLite template file and, when
 * TEST_POSTGRES_URL is set, a PostgreSQL template database. Each test then gets a fresh
 * copy (a file copy, or CREATE DATABASE … TEMPLATE), so migrations run once per suite.
 *
 * Without TEST_POSTGRES_URL the PostgreSQL tests are reported as skipped; with
 * QTASK_REQUIRE_POSTGRES=1 (CI) a missing or unreachable PostgreSQL fails the suite instead.
 */
import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migratedPgTemplate, migratedSqliteTemplate } from "../../../scripts/lib/databases";

declare module "vitest" {
  export interface ProvidedContext {
    sqliteTemplate: string;
    postgresTemplateUrl: string | null;
  }
}

// QTASK_TEST_SLOT lets two suites run side by side on one machine (own template, own folder).
const SLOT = process.env.QTASK_TEST_SLOT ? `_${process.env.QTASK_TEST_SLOT.replace(/\W/g, "")}` : "";
export const TEMPLATE_DB = `qtask_test_template${SLOT}`;

export default async function setup(project: TestProject) {
  const dir = path.resolve(".data", `test${SLOT}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  project.provide("sqliteTemplate", migratedSqliteTemplate(path.join(dir, "template.db")));

  const base = process.env.TEST_POSTGRES_URL;
  const required = process.env.QTASK_REQUIRE_POSTGRES === "1";
  let templateUrl: string | null = null;
  if (!base) {
    if (required) throw new Error("QTASK_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set");
    console.warn("[integration] TEST_POSTGRES_URL is not set: the PostgreSQL variants are skipped");
  } else {
    try {
      templateUrl = await migratedPgTemplate(base, TEMPLATE_DB);
    } catch (err) {
      if (required) throw err;
      console.warn(`[integration] PostgreSQL at TEST_POSTGRES_URL is unreachable (${(err as Error).message}): its variants are skipped`);
      templateUrl = null;
    }
  }
  project.provide("postgresTemplateUrl", templateUrl);
}
