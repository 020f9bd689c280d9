import Link from "next/link";
import type { ReactNode } from "react";

import { SignOutButton } from "@/components/sign-out-button";
import { requirePageStaff } from "@/lib/server/auth";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The proxy already sends signed-out visitors to sign in; this covers a session that stopped working.
  const staff = await requirePageStaff();
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand">
          Tenant<span>scope</span>
        </Link>
        <nav aria-label="Main">
          <Link href="/">Divisions</Link>
          {staff.isAdmin ? (
            <>
              <Link href="/access">Access</Link>
              <Link href="/diagnostics">Diagnostics</Link>
              <Link href="/audit">Audit trail</Link>
            </>
          ) : null}
        </nav>
        <div className="spacer" />
        <div className="who">
          <strong>{staff.name || staff.email}</strong>
          <span className="role">{staff.isAdmin ? "Admin" : "Manager"}</span>
          <br />
          {staff.email}
        </div>
        <SignOutButton />
      </header>
      <main id="main">{children}</main>
    </>
  );
}
