import "server-only";

import { checkParams, csvLines, csvStream, type CsvCell } from "@/lib/server/platform";
import { requireAdmin, type StaffAccess } from "@/lib/server/staff";

import { AUDIT_PARAMS, parseAuditParams, type AuditFilters } from "./query";
import { actorOf, audit, auditRefusal, getAuditStore } from "./record";
import type { AuditPage, AuditQuery, StoredAuditEvent } from "./store";

// Reading the audit trail: admins only, and every reading is itself recorded (audit.view, audit.export,
// audit.verify), so the trail also shows who looked at it.

/** Finishes "Only administrators may …". */
export const AUDIT_PURPOSE = "read the audit trail";
/** The export takes every match: no paging. */
export const AUDIT_EXPORT_PARAMS = AUDIT_PARAMS.filter((p) => p !== "before" && p !== "limit");

export const AUDIT_CSV_COLUMNS = [
  "at",
  "action",
  "outcome",
  "code",
  "actorEmail",
  "actorName",
  "actorId",
  "actorRole",
  "divisionId",
  "divisionName",
  "rows",
  "isolationChecked",
  "isolationVerified",
  "isolationDropped",
  "countMatches",
  "consistent",
  "requestId",
  "subjectId",
  "subjectName",
] as const;

function cells(e: StoredAuditEvent): CsvCell[] {
  return [
    e.at,
    e.action,
    e.outcome,
    e.code,
    e.actor?.email,
    e.actor?.name,
    e.actor?.id,
    e.actor?.role,
    e.divisionId,
    e.divisionName,
    e.rows,
    e.isolation?.checked,
    e.isolation?.verified,
    e.isolation?.dropped,
    e.isolation?.countMatches,
    e.isolation?.consistent,
    e.requestId,
    e.subjectId,
    e.subjectName,
  ];
}

/** For the /audit page: the admin's page of events (malformed filters are recorded as a refusal and thrown). */
export async function readAuditPage(staff: StaffAccess, params: URLSearchParams, requestId: string): Promise<{ page: AuditPage; filters: AuditFilters }> {
  let parsed: ReturnType<typeof parseAuditParams>;
  try {
    requireAdmin(staff, AUDIT_PURPOSE);
    parsed = parseAuditParams(checkParams(params, AUDIT_PARAMS));
  } catch (e) {
    void auditRefusal("audit.view", staff, e, requestId);
    throw e;
  }
  let page: AuditPage;
  try {
    page = await getAuditStore().query(parsed.query);
  } catch (e) {
    void auditRefusal("audit.view", staff, e, requestId);
    throw e;
  }
  void audit({ action: "audit.view", actor: actorOf(staff), rows: page.events.length, outcome: "ok", requestId });
  return { page, filters: parsed.filters };
}

/** Every event matching the export's filters, as a CSV stream; `onEnd` hears how many rows the client got. */
export function auditCsv(query: Omit<AuditQuery, "limit">, onEnd: (rows: number, how: "complete" | "cancelled") => void): { fileName: string; stream: ReadableStream<Uint8Array> } {
  let rows = 0;
  const counted = (async function* () {
    for await (const e of getAuditStore().all(query)) {
      rows++;
      yield e;
    }
  })();
  const stream = csvStream(csvLines(AUDIT_CSV_COLUMNS, counted, cells, { bom: true }), (how) => onEnd(rows, how));
  return { fileName: `tenantscope-audit-${new Date().toISOString().slice(0, 10)}.csv`, stream };
}
