import { headers } from "next/headers";

import { AccessDenied } from "@/components/access-denied";
import { requirePageStaff } from "@/lib/server/auth";

import { divisionPageAccess } from "./[divisionId]/division-access";

// The 403 page of a division. Next gives this file no props, so it reads which division from the request
// path (set by the proxy) and takes the request's one access decision from the layout's cache: the person
// learns what to ask for, an admin what to fix. A division the caller may not see is never named here.

function divisionIdOf(requestPath: string | null): string | null {
  const match = /^\/divisions\/([^/?#]+)/.exec(requestPath ?? "");
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null;
  }
}

export default async function DivisionForbidden() {
  const divisionId = divisionIdOf((await headers()).get("x-request-path"));
  const staff = await requirePageStaff();
  const access = divisionId ? await divisionPageAccess(divisionId) : null;
  const refused = access && "refused" in access ? access.refused : null;
  if (refused?.code !== "upstream_forbidden") return <AccessDenied isAdmin={staff.isAdmin} reason="not_granted" adminLink />;
  const d = refused.details ?? {};
  return (
    <AccessDenied
      isAdmin={staff.isAdmin}
      reason="bff_not_granted"
      divisionName={typeof d.divisionName === "string" ? d.divisionName : "this division"}
      correlationId={typeof d.correlationId === "string" ? d.correlationId : undefined}
    />
  );
}
