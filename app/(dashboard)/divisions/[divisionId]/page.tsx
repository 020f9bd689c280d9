import type { Metadata } from "next";
import { forbidden } from "next/navigation";

import { DivisionView } from "@/components/division-view";
import { requirePageStaff } from "@/lib/server/auth";
import { toDivisionInfo } from "@/lib/server/divisions";

import { divisionPageAccess } from "./division-access";
import { EarlyUsersRequest } from "./early-users-request";

export const metadata: Metadata = { title: "Division" };

export default async function DivisionPage({ params }: { params: Promise<{ divisionId: string }> }) {
  const { divisionId } = await params;
  const [staff, access] = await Promise.all([requirePageStaff(), divisionPageAccess(divisionId)]);
  // The layout has already answered a refusal with its status; the page renders nothing of a refused division.
  if (!("division" in access)) forbidden();
  return (
    <>
      <EarlyUsersRequest />
      <DivisionView division={toDivisionInfo(access.division)} isAdmin={staff.isAdmin} />
    </>
  );
}
