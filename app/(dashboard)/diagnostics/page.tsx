import type { Metadata } from "next";
import { headers } from "next/headers";
import { forbidden } from "next/navigation";

import { DiagnosticsView } from "@/components/diagnostics-view";
import { auditRefusal } from "@/lib/server/audit";
import { requirePageStaff } from "@/lib/server/auth";
import { AppError, requestIdFrom } from "@/lib/server/platform";

export const metadata: Metadata = { title: "Diagnostics" };

export default async function DiagnosticsPage() {
  const staff = await requirePageStaff();
  if (!staff.isAdmin) {
    // Answered 403 (app/(dashboard)/forbidden.tsx) and recorded like the API's refusal.
    auditRefusal("diagnostics.run", staff, new AppError("forbidden", "Admins only."), requestIdFrom(await headers()));
    forbidden();
  }
  return <DiagnosticsView />;
}
