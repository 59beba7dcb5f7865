// Prisma CLI config for the SQLite provider (generate, migrate deploy, migrate diff).
// engine "js" + a driver adapter: Prisma's native schema engine cannot be downloaded here.
import path from "node:path";
import fs from "node:fs";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl, providerOf, sqliteFile } from "./src/db/url";

const configured = databaseUrl();
const url = providerOf(configured) === "sqlite" ? configured : "file:.data/qtask.db";
process.env.QTASK_PRISMA_SQLITE_URL ??= url; // schema's env() must resolve

// The wasm schema engine replays each migration on the shadow DB with executeRaw (one
// prepared statement), which fails with P3006 on multi-statement migrations: route
// arg-less executeRaw on the shadow DB to executeScript.
async function sqliteAdapterForMigrate() {
  fs.mkdirSync(path.dirname(sqliteFile(url)) || ".", { recursive: true });
  const factory = new PrismaBetterSQLite3({ url });
  return {
    provider: "sqlite" as const,
    adapterName: factory.adapterName,
    connect: () => factory.connect(),
    connectToShadowDb: async () => {
      const shadow = await factory.connectToShadowDb();
      const executeRaw = shadow.executeRaw.bind(shadow);
      shadow.executeRaw = async (q) => {
        if (q.args.length === 0) {
          await shadow.executeScript(q.sql);
          return 0;
        }
        return executeRaw(q);
      };
      return shadow;
    },
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "sqlite"),
  migrations: { path: path.join("prisma", "sqlite", "migrations") },
  adapter: sqliteAdapterForMigrate,
});
