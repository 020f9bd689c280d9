// GET /api/divisions/{divisionId} – one division's metadata and the caller's access to it
import { requireDivisionAccess } from "@/lib/server/divisions";
import { allowOnlyParams } from "@/lib/server/http";
import { json, route } from "@/lib/server/http";
import { getStaffAccess } from "@/lib/server/auth";

export const dynamic = "force-dynamic";

export const GET = route<{ divisionId: string }>(async (req, { divisionId }) => {
  allowOnlyParams(req, []);
  const staff = await getStaffAccess();
  const division = await requireDivisionAccess(staff, divisionId);
  return json({
    division: { id: division.id, name: division.name, description: division.description, userCount: division.userCount },
    access: { canView: true, role: staff?.isAdmin ? "admin" : "manager" },
  });
});
