import "server-only";

import { requireDivisionAccess, type AuthorizedDivision } from "./access-gate";
import { actorOf, audit, auditRefusal, type AuditEvent } from "@/lib/server/audit";
import type { CachedResult } from "./cache";
import type { FetchProgress } from "./fetch";
import { payloadJson, toPayload } from "./dto";
import { getDivisionService } from "./service";
import { AppError, toErrorResponse } from "@/lib/server/platform";
import { toAppError } from "@/lib/server/genesys";
import { allowOnlyParams } from "@/lib/server/http";
import type { RouteContext } from "@/lib/server/http";
import { getStaffAccess } from "@/lib/server/auth";
import type { StaffAccess } from "@/lib/server/staff";

// The users route's work: access check, cached fetch (optionally forced), role-shaped payload, audit, and
// an NDJSON variant that streams the progress of a cold fetch before the result.

const NDJSON = "application/x-ndjson";
/** Progress lines are throttled: a 120-page fetch would otherwise send a line per page per viewer. */
const PROGRESS_INTERVAL_MS = 100;

export function isolationOf(result: CachedResult): AuditEvent["isolation"] {
  const iso = result.value.meta.isolation;
  return { checked: iso.checked, verified: iso.verified, dropped: iso.dropped.length, countMatches: iso.countMatches, consistent: result.value.meta.consistent };
}

export interface AuthorizedRequest {
  staff: StaffAccess;
  division: AuthorizedDivision;
  params: URLSearchParams;
  force: boolean;
}

/** Validates the query and runs the access check; a refusal is audited and thrown (its status intact). */
export async function authorizeDivisionRequest(
  req: Request,
  divisionId: string,
  action: AuditEvent["action"],
  ctx: RouteContext,
  allowedParams: readonly string[],
): Promise<AuthorizedRequest> {
  let staff: StaffAccess | null = null;
  try {
    const params = allowOnlyParams(req, allowedParams);
    const refresh = params.get("refresh");
    if (refresh !== null && refresh !== "1" && refresh !== "0") throw new AppError("bad_request", 'refresh must be "1" or "0".', { details: { field: "refresh" } });
    staff = await getStaffAccess();
    const division = await requireDivisionAccess(staff, divisionId);
    return { staff: staff as StaffAccess, division, params, force: refresh === "1" };
  } catch (e) {
    auditFailure(action, staff, divisionId, e, ctx);
    throw e;
  }
}

/** The cached fetch for an authorized request; a failure is audited and thrown. */
export async function loadUsers(auth: AuthorizedRequest, action: AuditEvent["action"], ctx: RouteContext, onProgress?: (p: FetchProgress) => void): Promise<CachedResult> {
  try {
    return await getDivisionService().getUsers(auth.division, { force: auth.force, ...(onProgress ? { onProgress } : {}) });
  } catch (e) {
    auditFailure(action, auth.staff, auth.division.id, e, ctx);
    throw e;
  }
}

function auditFailure(action: AuditEvent["action"], staff: StaffAccess | null, divisionId: string, e: unknown, ctx: RouteContext): void {
  auditRefusal(action, staff, e, ctx.requestId, { divisionId: divisionId.slice(0, 64) });
}

export async function divisionUsersResponse(req: Request, divisionId: string, ctx: RouteContext): Promise<Response> {
  const auth = await authorizeDivisionRequest(req, divisionId, "division.view", ctx, ["refresh"]);
  const headers = { "Cache-Control": "private, no-store" };
  if (!(req.headers.get("accept") ?? "").includes(NDJSON)) {
    const result = await loadUsers(auth, "division.view", ctx);
    auditView(auth, result, ctx);
    return new Response(payloadJson(toPayload(auth.division, result, auth.staff)), { headers: { ...headers, "Content-Type": "application/json" } });
  }

  // NDJSON: progress lines while a cold fetch runs, then one result (or error) line. A warm division answers
  // with the result line at once.
  const encoder = new TextEncoder();
  let lastProgress = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const push = (line: unknown) => controller.enqueue(encoder.encode(JSON.stringify(line) + "\n"));
      const onProgress = (p: FetchProgress) => {
        const now = Date.now();
        if (p.phase !== "done" && now - lastProgress < PROGRESS_INTERVAL_MS) return;
        lastProgress = now;
        push({ type: "progress", ...p });
      };
      loadUsers(auth, "division.view", ctx, onProgress).then(
        (result) => {
          auditView(auth, result, ctx);
          controller.enqueue(encoder.encode(payloadJson(toPayload(auth.division, result, auth.staff), { type: "result" }) + "\n"));
          controller.close();
        },
        (e: unknown) => {
          const { status, body } = toErrorResponse(toAppError(e));
          push({ type: "error", status, ...body });
          controller.close();
        },
      );
    },
  });
  return new Response(stream, { headers: { ...headers, "Content-Type": NDJSON, "X-Accel-Buffering": "no" } });
}

function auditView(auth: AuthorizedRequest, result: CachedResult, ctx: RouteContext): void {
  audit({
    action: "division.view",
    actor: actorOf(auth.staff),
    divisionId: auth.division.id,
    divisionName: auth.division.name,
    rows: result.value.users.length,
    isolation: isolationOf(result),
    outcome: "ok",
    requestId: ctx.requestId,
  });
}
