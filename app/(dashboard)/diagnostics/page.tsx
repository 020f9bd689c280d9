import type { Metadata } from "next";

import { DiagnosticsView } from "@/components/diagnostics-view";
import { requirePageStaff } from "@/lib/server/session";

export const metadata: Metadata = { title: "Diagnostics" };

export default async function DiagnosticsPage() {
  const staff = await requirePageStaff();
  if (!staff.isAdmin) {
    return (
      <div className="panel" role="alert">
        <p className="badge bad">403 · Admins only</p>
        <h1>Diagnostics are for administrators</h1>
        <p>Ask a Tenantscope administrator if you need a division checked.</p>
      </div>
    );
  }
  return <DiagnosticsView />;
}
