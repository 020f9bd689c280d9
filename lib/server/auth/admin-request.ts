import "server-only";

import { requireAdmin } from "@/lib/server/divisions";
import { auditRefusal, type AuditEvent } from "@/lib/server/audit";
import { allowOnlyParams } from "@/lib/server/http";
import type { RouteContext } from "@/lib/server/http";
import { getStaffAccess } from "./session";
import type { StaffAccess } from "@/lib/server/staff";

// The checks of an admin-only route, in the fixed order (query 400 → session 401 → admin 403). A refusal is
// audited like a division request's: an attempt to read diagnostics or the audit trail is itself on record.
export async function authorizeAdminRequest(
  req: Request,
  action: AuditEvent["action"],
  ctx: RouteContext,
  allowedParams: readonly string[],
  purpose?: string,
): Promise<{ staff: StaffAccess; params: URLSearchParams }> {
  let staff: StaffAccess | null = null;
  try {
    const params = allowOnlyParams(req, allowedParams);
    staff = await getStaffAccess();
    return { staff: requireAdmin(staff, purpose), params };
  } catch (e) {
    auditRefusal(action, staff, e, ctx.requestId);
    throw e;
  }
}
