// GET /api/me – the signed-in person: the division shell's header, which is prerendered without them
import { getStaffAccess } from "@/lib/server/auth";
import { json, route } from "@/lib/server/http";
import { allowOnlyParams } from "@/lib/server/platform";
import { requireStaff } from "@/lib/server/staff";
import type { CurrentStaff } from "@/lib/shared/contract";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  allowOnlyParams(req, []); //                                   400
  const staff = requireStaff(await getStaffAccess()); //          401
  const body: CurrentStaff = { name: staff.name, email: staff.email, role: staff.isAdmin ? "admin" : "manager" };
  return json(body);
});
