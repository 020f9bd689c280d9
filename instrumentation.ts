// Runs once when the server starts: configuration problems stop start-up with one readable message per
// variable, instead of surfacing as errors on the first requests.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { checkStartupConfig } = await import("@/lib/server/platform");
  checkStartupConfig();
  // With AUDIT_DATABASE_URL, the audit store connects and applies its migrations now (PostgreSQL down: it
  // starts on its disk buffer and retries); the SQLite file is opened on first use.
  const { startAuditStore } = await import("@/lib/server/audit");
  startAuditStore();
}
