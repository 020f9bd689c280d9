import "server-only";

import { getLogger } from "./logger";
import { processSingleton } from "./process-singleton";

// Who saw what. Every view, export and diagnostics run produces one event. Today events go to the
// structured log; `AuditSink` lets a durable store (SQLite, Postgres) take them as well.

export interface AuditEvent {
  action: "division.view" | "division.export" | "diagnostics.run" | "diagnostics.test-division";
  actor: { id: string; email: string; role: "admin" | "manager" } | null;
  divisionId?: string;
  divisionName?: string;
  rows?: number;
  isolation?: { checked: number; verified: number; dropped: number; countMatches: boolean; consistent: boolean };
  outcome: "ok" | "denied" | "error";
  code?: string;
  requestId?: string;
}

export interface AuditSink {
  write(event: AuditEvent & { at: string }): void | Promise<void>;
}

const sinks = processSingleton<AuditSink[]>("audit-sinks", () => [{ write: (event) => getLogger().info({ audit: event }, `audit ${event.action} ${event.outcome}`) }]);

export function addAuditSink(sink: AuditSink): void {
  sinks.push(sink);
}

export function audit(event: AuditEvent): void {
  const full = { ...event, at: new Date().toISOString() };
  for (const sink of sinks) {
    try {
      void Promise.resolve(sink.write(full)).catch((e: unknown) => getLogger().error({ err: String(e) }, "audit sink failed"));
    } catch (e) {
      getLogger().error({ err: String(e) }, "audit sink failed");
    }
  }
}
