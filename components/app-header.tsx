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
      {/* No header link is prefetched: each target is rendered per request, and prefetching them on every page
          took the browser's connections while the page loaded its own data. */}
      <Link href="/" className="brand" prefetch={false}>
        Tenant<span>scope</span>
      </Link>
      <nav aria-label="Main">
        <Link href="/" prefetch={false}>
          Divisions
        </Link>
        {isAdmin ? (
          <>
            <Link href="/access" prefetch={false}>
              Access
            </Link>
            <Link href="/diagnostics" prefetch={false}>
              Diagnostics
            </Link>
            <Link href="/audit" prefetch={false}>
              Audit trail
            </Link>
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
