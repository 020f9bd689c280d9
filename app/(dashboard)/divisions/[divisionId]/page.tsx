import type { Metadata } from "next";
import { notFound } from "next/navigation";

import { AccessDenied } from "@/components/access-denied";
import { DivisionView } from "@/components/division-view";
import { requirePageStaff } from "@/lib/server/auth";
import { requireDivisionAccess, toDivisionInfo, type AuthorizedDivision } from "@/lib/server/divisions";
import { AppError, isAppError } from "@/lib/server/platform";

export const metadata: Metadata = { title: "Division" };

export default async function DivisionPage({ params }: { params: Promise<{ divisionId: string }> }) {
  const { divisionId } = await params;
  const staff = await requirePageStaff();
  const access = await requireDivisionAccess(staff, divisionId).then(
    (division): { division: AuthorizedDivision } => ({ division }),
    (e: unknown): { denied: AppError } => {
      if (isAppError(e) && (e.code === "not_found" || e.code === "bad_request")) notFound();
      if (isAppError(e) && (e.code === "forbidden" || e.code === "upstream_forbidden")) return { denied: e };
      throw e;
    },
  );
  if ("denied" in access) {
    const d = access.denied.details ?? {};
    return (
      <AccessDenied
        isAdmin={staff.isAdmin}
        reason={access.denied.code === "forbidden" ? "not_granted" : "bff_not_granted"}
        divisionName={typeof d.divisionName === "string" ? d.divisionName : "this division"}
        correlationId={typeof d.correlationId === "string" ? d.correlationId : undefined}
      />
    );
  }
  const { division } = access;
  return <DivisionView division={toDivisionInfo(division)} isAdmin={staff.isAdmin} />;
}
