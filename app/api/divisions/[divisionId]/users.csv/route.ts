// GET /api/divisions/{divisionId}/users.csv?q=&state=&sort= – CSV of exactly the filtered, sorted view
import { divisionCsvResponse } from "@/lib/server/divisions";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ divisionId: string }>((req, { divisionId }, ctx) => divisionCsvResponse(req, divisionId, ctx));
