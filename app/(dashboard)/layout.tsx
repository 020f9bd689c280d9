import type { ReactNode } from "react";

import { AppHeader } from "@/components/app-header";
import { requirePageStaff } from "@/lib/server/auth";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The proxy already sends signed-out visitors to sign in; this covers a session that stopped working.
  const staff = await requirePageStaff();
  return (
    <>
      <AppHeader staff={{ name: staff.name, email: staff.email, role: staff.isAdmin ? "admin" : "manager" }} />
      <main id="main">{children}</main>
    </>
  );
}
