/**
 * The engine's driver on PostgreSQL: a pg pool of its own (and a one-connection pool for
 * heartbeats), prepared statements for the hot path's fixed texts, times read and bound as UTC,
 * and array parameters serialised in one pass.
 */
import pg from "pg";
import { isPrepared, type Sql } from "./dialect";
import { statementCounter, type NativeDriver } from "./native";

// The schema's DateTime columns are `timestamp(3)` holding UTC (as Prisma writes them): read
// them as UTC and bind Dates as UTC whatever the process's time zone.
const TIMESTAMP_OID = 1114;
const parseUtc = (s: string) => new Date(`${s.replace(" ", "T")}Z`);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === TIMESTAMP_OID && format !== "binary" ? parseUtc : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

// Names of prepared statements, one per distinct text marked prepared() (a handful, all fixed).
const statementNames = new Map<string, string>();
function nameOf(s: Sql): string | undefined {
  if (!isPrepared(s)) return undefined;
  let name = statementNames.get(s.text);
  if (!name) statementNames.set(s.text, (name = `qtask_${statementNames.size + 1}`));
  return name;
}

function pgValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v === undefined) return null;
  if (Array.isArray(v)) return pgArray(v) ?? v;
  return v;
}

/**
 * An array parameter in PostgreSQL's text form, or null for elements this does not handle
 * (left to pg). pg's own serialiser quotes every element through two regular expressions
 * and a concatenation each: for a close batch's arrays that was a tenth of everything a busy
 * worker allocated. Numbers go in bare, strings quoted with `"` and `\` escaped, as pg does.
 */
function pgArray(a: unknown[]): string | null {
  const parts = new Array<string>(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === null || v === undefined) parts[i] = "NULL";
    else if (typeof v === "number") parts[i] = String(v);
    else if (typeof v === "string") parts[i] = `"${/["\\]/.test(v) ? v.replace(/["\\]/g, "\\$&") : v}"`;
    else if (typeof v === "boolean") parts[i] = v ? "t" : "f";
    else if (v instanceof Date) parts[i] = `"${v.toISOString()}"`;
    else return null;
  }
  return `{${parts.join(",")}}`;
}

/** A driver on a pg pool of its own (`max` connections). */
export function postgresDriver(url: string, max = 10): NativeDriver {
  const pool = new pg.Pool({ connectionString: url, max, types });
  // Heartbeats get a connection of their own: behind a queue of claims, closes and log writes
  // waiting for the main pool, a busy worker's leases could run out while it is alive.
  const urgentPool = new pg.Pool({ connectionString: url, max: 1, types });
  // A backend killed under an idle client must not crash the process; the next checkout reconnects.
  pool.on("error", () => undefined);
  urgentPool.on("error", () => undefined);
  const on = (c: pg.Pool | pg.PoolClient): NativeDriver => ({
    provider: "postgres",
    query: async (s) => (statementCounter.count++, (await c.query({ name: nameOf(s), text: s.text, values: s.values.map(pgValue) })).rows),
    execute: async (s) => (statementCounter.count++, (await c.query({ name: nameOf(s), text: s.text, values: s.values.map(pgValue) })).rowCount ?? 0),
    async transaction(fn, urgent) {
      if (c !== pool) return fn(on(c));
      const client = await (urgent ? urgentPool : pool).connect();
      let broken = false;
      // A checked-out client has no pool listener: a backend killed between two statements
      // (pg_terminate_backend, failover) would emit an unhandled 'error' and crash the process.
      // The failing statement reports it; here it only marks the client as not to be reused.
      const onError = () => {
        broken = true;
      };
      client.on("error", onError);
      try {
        statementCounter.count += 2;
        await client.query("BEGIN");
        const out = await fn(on(client));
        await client.query("COMMIT");
        return out;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw err;
      } finally {
        // A client whose connection broke is destroyed, not returned to the pool.
        client.removeListener("error", onError);
        client.release(broken ? true : undefined);
      }
    },
    close: () => (c === pool ? Promise.all([pool.end(), urgentPool.end()]).then(() => undefined) : Promise.resolve()),
  });
  return on(pool);
}
