import "server-only";

import { getEnv, getLogger, getMetrics, isAppError, optionalGauge, processSingleton, type AuditConfig } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";

import { sqliteBackend, type AuditBackend, type AuditStoreStatus } from "./backend";
import { DiskBuffer } from "./disk-buffer";
import { GroupCommit, type StampedEvent } from "./group-commit";
import { ResilientAuditStore } from "./pg-resilient";
import { PgAuditStore } from "./pg-store";
import { AuditStore, type AuditEvent } from "./store";

// Who saw what. Every view, export and diagnostics run (and every reading of the audit trail itself)
// produces one event: a structured log line, and a row in the durable, append-only store (store.ts).
// A failed write is logged and counted, not shown to the person: the view itself already happened. The
// store is the SQLite file by default, PostgreSQL with AUDIT_DATABASE_URL (pg-resilient.ts): there, a view
// is refused (503 audit_unavailable) only when PostgreSQL is down and this instance's disk buffer is full.

/** How often expired events are purged (also once when the store opens). */
const PURGE_EVERY_MS = 6 * 3_600_000;

/** The process's audit store, opened on first use (a build must not create the file). */
export function getAuditStore(): AuditBackend {
  return processSingleton("audit-store", () => {
    const config = getEnv().audit;
    const store = config.databaseUrl ? openPostgres(config, config.databaseUrl) : sqliteBackend(new AuditStore(config.dbPath, config.retentionDays));
    const purge = () =>
      store.purgeExpired().then(
        (removed) => {
          if (removed > 0) getLogger().info({ audit: { removed, retentionDays: config.retentionDays } }, "expired audit events purged");
        },
        (e: unknown) => getLogger().error({ err: String(e) }, "audit purge failed"),
      );
    void purge();
    setInterval(() => void purge(), PURGE_EVERY_MS).unref();
    return store;
  });
}

function openPostgres(config: AuditConfig, url: string): AuditBackend {
  const log = getLogger();
  return new ResilientAuditStore(new PgAuditStore(url, config.retentionDays), new DiskBuffer(config.bufferPath, config.bufferMaxEvents), {
    warn: (fields, message) => log.warn(fields, message),
    info: (fields, message) => log.info(fields, message),
    error: (fields, message) => log.error(fields, message),
    state: (reachable, buffered) => {
      optionalGauge("tenantscope_audit_store_up").set(reachable ? 1 : 0);
      optionalGauge("tenantscope_audit_buffered_events").set(buffered);
    },
  });
}

/** At start-up: opens a PostgreSQL store (its migrations run now, not on the first view); SQLite waits for first use. */
export function startAuditStore(): void {
  if (getEnv().audit.databaseUrl) getAuditStore();
}

/** `npm run migrate`: applies PostgreSQL's migrations and closes; null without AUDIT_DATABASE_URL. */
export async function migrateAuditDatabase(): Promise<number[] | null> {
  const { databaseUrl, retentionDays } = getEnv().audit;
  if (!databaseUrl) return null;
  const store = new PgAuditStore(databaseUrl, retentionDays);
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}

/** For /api/health: the PostgreSQL store's state; undefined with the embedded SQLite file. */
export function auditStoreStatus(): AuditStoreStatus | undefined {
  const store = getAuditStore();
  return store.kind === "postgres" ? store.status() : undefined;
}

/**
 * Records an event now (its own transaction): for events recorded after their response has begun. With
 * SQLite it is committed before this returns; with PostgreSQL when the promise settles (it never rejects).
 */
export function audit(event: AuditEvent): Promise<void> {
  const full = stamped(event);
  let commit: Promise<void>;
  try {
    commit = getAuditStore().appendMany([full]);
  } catch (e) {
    storeFailed([full], e);
    return Promise.resolve();
  }
  return commit.then(
    () => void getMetrics().auditEvents.inc({ result: "stored" }),
    (e: unknown) => storeFailed([full], e),
  );
}

/**
 * Records an event with others of the same moment (group-commit.ts); resolves once it is committed. The
 * caller must not answer before: an answered view has to be on the trail even if the process dies next.
 */
export function auditBatched(event: AuditEvent): Promise<void> {
  return processSingleton(
    "audit-group-commit",
    () =>
      new GroupCommit((events) => getAuditStore().appendMany(events), {
        stored: (events) => getMetrics().auditEvents.inc({ result: "stored" }, events.length),
        failed: storeFailed,
        // Nowhere to record it (PostgreSQL down, disk buffer full): the view is refused rather than unrecorded.
        refusal: (e) => (isAppError(e) && e.code === "audit_unavailable" ? e : undefined),
      }),
  ).add(stamped(event));
}

function stamped(event: AuditEvent): StampedEvent {
  const full = { ...event, at: new Date().toISOString() };
  getLogger().info({ audit: full }, `audit ${event.action} ${event.outcome}`);
  return full;
}

function storeFailed(events: readonly StampedEvent[], e: unknown): void {
  getMetrics().auditEvents.inc({ result: "failed" }, events.length);
  for (const full of events) getLogger().error({ err: e instanceof Error ? e.message : String(e), audit: full }, "audit event could not be stored");
}

export function actorOf(staff: StaffAccess | null): AuditEvent["actor"] {
  return staff ? { id: staff.userId, email: staff.email, ...(staff.name ? { name: staff.name } : {}), role: staff.isAdmin ? "admin" : "manager" } : null;
}

/**
 * A refused or failed request: "denied" when the caller may not (or asked wrongly), "error" when we failed.
 * The trail keeps what people did: a refusal of someone not signed in (anyone on the internet, as often as
 * they like) goes to the log and a metric only, never into a table that keeps rows for 400 days.
 */
export function auditRefusal(
  action: AuditEvent["action"],
  staff: StaffAccess | null,
  e: unknown,
  requestId: string,
  extra: Pick<AuditEvent, "divisionId" | "divisionName" | "subjectId" | "subjectName"> = {},
  actor: AuditEvent["actor"] = actorOf(staff),
): Promise<void> {
  const denied = isAppError(e) && ["unauthenticated", "forbidden", "upstream_forbidden", "not_found", "bad_request", "rate_limited"].includes(e.code);
  const event: AuditEvent = { action, actor, ...extra, outcome: denied ? "denied" : "error", code: isAppError(e) ? e.code : "internal", requestId };
  if (actor) return audit(event);
  getLogger().info({ refusal: event }, `signed-out ${action} ${event.outcome}`);
  getMetrics().auditEvents.inc({ result: "signed_out" });
  return Promise.resolve();
}
