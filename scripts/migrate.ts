// npm run migrate – applies the audit store's PostgreSQL migrations (AUDIT_DATABASE_URL, from the environment or
// .env) and exits; the app also applies them when it starts. Exit 0: done (or nothing to do), 1: failed, 2: no URL.
import fs from "node:fs";

import { migrateAuditDatabase } from "@/lib/server/audit";
import { logToStderr } from "@/lib/server/platform";

async function main(): Promise<number> {
  if (fs.existsSync(".env")) process.loadEnvFile(".env");
  process.env.LOG_LEVEL ??= "warn";
  logToStderr();
  const applied = await migrateAuditDatabase();
  if (applied === null) {
    console.error("AUDIT_DATABASE_URL is not set: the audit trail is the embedded SQLite file, which needs no migration.");
    return 2;
  }
  console.log(applied.length ? `Applied audit migrations ${applied.join(", ")}.` : "The audit database is up to date.");
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`Migration failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
