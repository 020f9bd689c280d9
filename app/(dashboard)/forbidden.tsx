import Link from "next/link";

// The 403 page of the admin pages (diagnostics, audit trail) for a manager who opened one. Next renders this
// file with every dashboard page, so it stays static.
export default function DashboardForbidden() {
  return (
    <div className="panel" role="alert">
      <p className="badge bad">403 · Admins only</p>
      <h1>This page is for administrators</h1>
      <p>Ask a Tenantscope administrator if you need a division checked or want to know who viewed a division.</p>
      <p>
        <Link href="/">Back to your divisions</Link>
      </p>
    </div>
  );
}
