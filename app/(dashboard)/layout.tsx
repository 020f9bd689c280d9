import Link from "next/link";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";

import { SignOutButton } from "@/components/sign-out-button";
import { getStaffAccess } from "@/lib/server/session";
import { safeCallbackUrl } from "@/lib/shared/sign-in";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const staff = await getStaffAccess();
  // The proxy already sends signed-out visitors to sign in; this covers a session whose Genesys grant died.
  if (!staff) {
    const back = safeCallbackUrl((await headers()).get("x-request-path") ?? "/");
    redirect(`/signin?error=SessionExpired&callbackUrl=${encodeURIComponent(back)}`);
  }
  return (
    <>
      <header className="app-header">
        <Link href="/" className="brand">
          Tenant<span>scope</span>
        </Link>
        <nav aria-label="Main">
          <Link href="/">Divisions</Link>
          {staff.isAdmin ? <Link href="/diagnostics">Diagnostics</Link> : null}
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
