// GET /api/divisions – the divisions the caller may view, with names and user counts
import { getStaffAccess } from "@/lib/server/auth";
import { toDivisionSummary, visibleDivisions } from "@/lib/server/divisions";
import { json, route } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";
import type { DivisionsList } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  allowOnlyParams(req, []); //                                   400
  const staff = requireStaff(await getStaffAccess()); //          401
  const divisions = await visibleDivisions(staff);
  const body: DivisionsList = { divisions: divisions.map(toDivisionSummary) };
  return json(body);
});
