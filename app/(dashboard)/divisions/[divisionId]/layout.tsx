import { headers } from "next/headers";
import { forbidden, notFound } from "next/navigation";
import type { ReactNode } from "react";

import { auditRefusal } from "@/lib/server/audit";
import { requirePageStaff } from "@/lib/server/auth";
import { requestIdFrom } from "@/lib/server/platform";

import { divisionPageAccess } from "./division-access";

// The access check runs here, in the layout, so that its answer is the HTTP status: a layout renders before
// anything of the page streams, and a refused page must not answer 200 with a panel. A refusal is recorded
// on the audit trail as the API's refusals are (division.view, denied, with the person).
export default async function DivisionLayout({ children, params }: { children: ReactNode; params: Promise<{ divisionId: string }> }) {
  const { divisionId } = await params;
  const [staff, access] = await Promise.all([requirePageStaff(), divisionPageAccess(divisionId)]);
  if ("division" in access) return children;
  const { refused } = access;
  const name = refused.details?.divisionName;
  auditRefusal("division.view", staff, refused, requestIdFrom(await headers()), {
    divisionId: divisionId.slice(0, 64),
    ...(typeof name === "string" ? { divisionName: name } : {}),
  });
  // A malformed id names no page at all (404, as an unknown one does for those who may see every division).
  if (refused.code === "bad_request" || refused.code === "not_found") notFound();
  forbidden();
}
