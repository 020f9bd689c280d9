import "server-only";

import type pg from "pg";

import * as m001 from "./migrations/001-audit-events";
import * as m002 from "./migrations/002-audit-subject";

// The PostgreSQL schema, versioned in the repo: each migration runs once, in order,
// recorded in audit_schema_migrations. Every instance applies what is missing at start-up (and
// `npm run migrate` does it on its own); an advisory lock makes instances that start together take turns.

export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: "audit-events", sql: m001.sql },
  { version: 2, name: "audit-subject", sql: m002.sql },
];

/** Any 64-bit key no other code of ours uses: "tsmigr" in ASCII. */
const MIGRATION_LOCK = "128039105685362";

/** Applies the migrations the database lacks, in one transaction; returns the versions applied now. */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query("BEGIN");
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await client.query("CREATE TABLE IF NOT EXISTS audit_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    const done = new Set((await client.query<{ version: number }>("SELECT version FROM audit_schema_migrations")).rows.map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO audit_schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query("COMMIT");
    client.release();
    return applied;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release(e instanceof Error ? e : true);
    throw e;
  }
}
