import "server-only";

import { getEnv, getLogger, getMetrics, isAppError, processSingleton } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";

import { GroupCommit, type StampedEvent } from "./group-commit";
import { AuditStore, type AuditEvent } from "./store";

// Who saw what. Every view, export and diagnostics run (and every reading of the audit trail itself)
// produces one event: a structured log line, and a row in the durable, append-only store (store.ts).
// A failed write is logged and counted, not shown to the person: the view itself already happened.

/** How often expired events are purged (also once when the store opens). */
const PURGE_EVERY_MS = 6 * 3_600_000;

/** The process's audit store, opened on first use (a build must not create the file). */
export function getAuditStore(): AuditStore {
  return processSingleton("audit-store", () => {
    const { dbPath, retentionDays } = getEnv().audit;
    const store = new AuditStore(dbPath, retentionDays);
    const purge = () => {
      try {
        const removed = store.purgeExpired();
        if (removed > 0) getLogger().info({ audit: { removed, retentionDays } }, "expired audit events purged");
      } catch (e) {
        getLogger().error({ err: String(e) }, "audit purge failed");
      }
    };
    purge();
    setInterval(purge, PURGE_EVERY_MS).unref();
    return store;
  });
}

/** Records an event now (its own transaction): for events recorded after their response has begun. */
export function audit(event: AuditEvent): void {
  const full = stamped(event);
  try {
    getAuditStore().append(full);
    getMetrics().auditEvents.inc({ result: "stored" });
  } catch (e) {
    storeFailed([full], e);
  }
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
): void {
  const denied = isAppError(e) && ["unauthenticated", "forbidden", "upstream_forbidden", "not_found", "bad_request", "rate_limited"].includes(e.code);
  const event: AuditEvent = { action, actor, ...extra, outcome: denied ? "denied" : "error", code: isAppError(e) ? e.code : "internal", requestId };
  if (actor) return audit(event);
  getLogger().info({ refusal: event }, `signed-out ${action} ${event.outcome}`);
  getMetrics().auditEvents.inc({ result: "signed_out" });
}
