import type { Metadata } from "next";

import { AdminsOnly } from "@/components/admins-only";
import { DiagnosticsView } from "@/components/diagnostics-view";
import { requirePageStaff } from "@/lib/server/auth";

export const metadata: Metadata = { title: "Diagnostics" };

export default async function DiagnosticsPage() {
  const staff = await requirePageStaff();
  if (!staff.isAdmin) return <AdminsOnly title="Diagnostics are for administrators" hint="Ask a Tenantscope administrator if you need a division checked." />;
  return <DiagnosticsView />;
}
