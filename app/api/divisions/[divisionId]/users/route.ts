// GET /api/divisions/{divisionId}/users – the division's users and fetch metadata (JSON, or NDJSON with
// progress lines first when the request accepts application/x-ndjson); ?refresh=1 forces a refetch
import { divisionUsersResponse } from "@/lib/server/divisions";
import { route } from "@/lib/server/http";

export const dynamic = "force-dynamic";

export const GET = route<{ divisionId: string }>((req, { divisionId }, ctx) => divisionUsersResponse(req, divisionId, ctx));
