import "server-only";

import { requireAdmin } from "@/lib/server/divisions";
import { authorizeAdminRequest } from "@/lib/server/auth";
import { actorOf, audit, auditRefusal, getAuditStore } from "./record";
import { AUDIT_PARAMS, parseAuditParams, type AuditFilters } from "./query";
import type { AuditPage, StoredAuditEvent } from "./store";
import { csvLines, csvStream, type CsvCell } from "@/lib/server/platform";
import { checkParams } from "@/lib/server/http";
import type { RouteContext } from "@/lib/server/http";
import type { StaffAccess } from "@/lib/server/staff";

// Reading the audit trail: admins only, and every reading is itself recorded (audit.view, audit.export,
// audit.verify), so the trail also shows who looked at it.

const PURPOSE = "read the audit trail";
/** The export takes every match: no paging. */
const EXPORT_PARAMS = AUDIT_PARAMS.filter((p) => p !== "before" && p !== "limit");

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
  ];
}

/** The filters of a reading by `staff` (an admin); malformed ones are audited as a refusal and thrown (400). */
function parseFor(action: "audit.view" | "audit.export", staff: StaffAccess, params: URLSearchParams, requestId: string): ReturnType<typeof parseAuditParams> {
  try {
    requireAdmin(staff, PURPOSE);
    return parseAuditParams(checkParams(params, action === "audit.export" ? EXPORT_PARAMS : AUDIT_PARAMS));
  } catch (e) {
    auditRefusal(action, staff, e, requestId);
    throw e;
  }
}

/** For the /audit page and /api/audit: the admin's page of events. */
export function readAuditPage(staff: StaffAccess, params: URLSearchParams, requestId: string): { page: AuditPage; filters: AuditFilters } {
  const { query, filters } = parseFor("audit.view", staff, params, requestId);
  const page = getAuditStore().query(query);
  audit({ action: "audit.view", actor: actorOf(staff), rows: page.events.length, outcome: "ok", requestId });
  return { page, filters };
}

export async function auditJsonResponse(req: Request, ctx: RouteContext): Promise<Response> {
  const { staff, params } = await authorizeAdminRequest(req, "audit.view", ctx, AUDIT_PARAMS, PURPOSE);
  return Response.json(readAuditPage(staff, params, ctx.requestId).page, { headers: { "Cache-Control": "private, no-store" } });
}

export async function auditCsvResponse(req: Request, ctx: RouteContext): Promise<Response> {
  const { staff, params } = await authorizeAdminRequest(req, "audit.export", ctx, EXPORT_PARAMS, PURPOSE);
  const { query } = parseFor("audit.export", staff, params, ctx.requestId);
  const events = getAuditStore().all(query);
  let rows = 0;
  const counted = (function* () {
    for (const e of events) {
      rows++;
      yield e;
    }
  })();
  // Recorded once the client has read it all (or went away), with the rows it got.
  const stream = csvStream(csvLines(AUDIT_CSV_COLUMNS, counted, cells, { bom: true }), (how) =>
    audit({ action: "audit.export", actor: actorOf(staff), rows, outcome: how === "complete" ? "ok" : "error", ...(how === "cancelled" ? { code: "client_aborted" } : {}), requestId: ctx.requestId }),
  );
  const name = `tenantscope-audit-${new Date().toISOString().slice(0, 10)}.csv`;
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
    },
  });
}

export async function auditIntegrityResponse(req: Request, ctx: RouteContext): Promise<Response> {
  const { staff } = await authorizeAdminRequest(req, "audit.verify", ctx, [], PURPOSE);
  const check = getAuditStore().verify();
  audit({ action: "audit.verify", actor: actorOf(staff), rows: check.checked, outcome: check.ok ? "ok" : "error", ...(check.ok ? {} : { code: "chain_broken" }), requestId: ctx.requestId });
  return Response.json(check, { headers: { "Cache-Control": "private, no-store" } });
}
