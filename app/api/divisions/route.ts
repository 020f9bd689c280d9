// GET /api/divisions – the divisions the caller may view, with names and user counts
import { visibleDivisions } from "@/lib/server/divisions";
import { allowOnlyParams } from "@/lib/server/http";
import { json, route } from "@/lib/server/http";
import { getStaffAccess } from "@/lib/server/auth";

export const dynamic = "force-dynamic";

export const GET = route(async (req) => {
  allowOnlyParams(req, []);
  const staff = await getStaffAccess();
  const divisions = await visibleDivisions(staff);
  return json({
    divisions: divisions.map(({ division, reachable }) => ({
      id: division.id,
      name: division.name,
      description: division.description,
      userCount: division.userCount,
      reachable,
    })),
  });
});
