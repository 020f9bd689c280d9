// GET /api/divisions/{divisionId} – one division's metadata and the caller's access to it
import { getStaffAccess } from "@/lib/server/auth";
import { assertDivisionId, requireDivisionAccess, toDivisionInfo } from "@/lib/server/divisions";
import { json, route } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";
import type { DivisionDetail } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = route<{ divisionId: string }>(async (req, { divisionId }) => {
  allowOnlyParams(req, []); //                                            400
  assertDivisionId(divisionId); //                                             400
  const staff = requireStaff(await getStaffAccess()); //                  401
  const division = await requireDivisionAccess(staff, divisionId); //      404 / 403
  const body: DivisionDetail = {
    division: toDivisionInfo(division),
    access: { canView: true, role: staff.isAdmin ? "admin" : "manager" },
  };
  return json(body);
});
