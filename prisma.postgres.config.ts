// Prisma CLI config for the PostgreSQL provider (generate, migrate deploy, migrate diff).
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { databaseUrl, providerOf } from "./src/db/url";

const configured = databaseUrl();
const url = providerOf(configured) === "postgres" ? configured : "postgresql://postgres@127.0.0.1:5432/qtask";
process.env.QTASK_PRISMA_POSTGRES_URL ??= url; // schema's env() must resolve

// prisma/orm#27403 (adapter-pg 6.19.3): the wasm schema engine's introspection returns
// catalog types ("char" 18, name 19, regclass 2205) that adapter-pg cannot deserialize.
// Map them to text (25) on the connected adapter's prototype. CLI only.
const TEXTISH_OIDS = new Set([18, 19, 2205]);
function patchNameOid(adapter: object) {
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(adapter));
  if (proto.__nameOidPatched) return;
  const performIO = proto.performIO;
  proto.performIO = async function (this: unknown, query: unknown) {
    const res = await performIO.call(this, query);
    for (const f of res.fields ?? []) if (TEXTISH_OIDS.has(f.dataTypeID)) f.dataTypeID = 25;
    return res;
  };
  proto.__nameOidPatched = true;
}

// adapter-pg's own connectToShadowDb() ignores the temporary database when given a
// connectionString and drops it while still connected: create and drop our own.
async function shadowDb() {
  const name = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const shadow = await new PrismaPg({ connectionString: u.toString() }).connect();
  patchNameOid(shadow);
  const dispose = shadow.dispose.bind(shadow);
  shadow.dispose = async () => {
    await dispose();
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  };
  return shadow;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "postgres"),
  migrations: { path: path.join("prisma", "postgres", "migrations") },
  adapter: async () => {
    const factory = new PrismaPg({ connectionString: url });
    return {
      provider: "postgres" as const,
      adapterName: factory.adapterName,
      connect: async () => {
        const a = await factory.connect();
        patchNameOid(a);
        return a;
      },
      connectToShadowDb: shadowDb,
    };
  },
});
