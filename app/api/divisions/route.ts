// GET /api/divisions – the divisions the caller may view, with names and user counts
import { visibleDivisions } from "@/lib/server/access";
import { allowOnlyParams } from "@/lib/server/request-params";
import { json, route } from "@/lib/server/route";
import { getStaffAccess } from "@/lib/server/session";

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
