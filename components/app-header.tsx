import Link from "next/link";

import type { CurrentStaff } from "@/lib/shared/contract";

import { SignOutButton } from "./sign-out-button";

/**
 * The dashboard's header: rendered on the server with the person for pages rendered per request, and in the
 * browser for the prerendered division shell, where `staff` is null until /api/me answers.
 */
export function AppHeader({ staff }: { staff: CurrentStaff | null }) {
  const isAdmin = staff?.role === "admin";
  return (
    <header className="app-header">
      <Link href="/" className="brand">
        Tenant<span>scope</span>
      </Link>
      <nav aria-label="Main">
        <Link href="/">Divisions</Link>
        {isAdmin ? (
          <>
            <Link href="/access">Access</Link>
            <Link href="/diagnostics">Diagnostics</Link>
            <Link href="/audit">Audit trail</Link>
          </>
        ) : null}
      </nav>
      <div className="spacer" />
      {staff ? (
        <div className="who">
          <strong>{staff.name || staff.email}</strong>
          <span className="role">{isAdmin ? "Admin" : "Manager"}</span>
          <br />
          {staff.email}
        </div>
      ) : (
        <div className="who" aria-hidden="true" />
      )}
      <SignOutButton />
    </header>
  );
}
