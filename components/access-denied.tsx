import Link from "next/link";

import { CopyAdminLink } from "./copy-admin-link";

// The 403 page: a manager learns what to ask for, an admin learns what to fix. A division outside the
// person's grants is not named (nor confirmed to exist): "not_granted" carries no name.
export function AccessDenied({
  isAdmin,
  reason,
  divisionName = "this division",
  correlationId,
  adminLink = false,
}: {
  isAdmin: boolean;
  /** Offer "Copy a link for your administrator" (/access for this person and this division). */
  adminLink?: boolean;
  reason: "not_granted" | "bff_not_granted";
  divisionName?: string;
  correlationId?: string | undefined;
}) {
  return (
    <div className="panel" role="alert" aria-labelledby="denied-title">
      <p className="badge bad">403 · No access</p>
      <h1 id="denied-title">You can&apos;t view {divisionName}</h1>
      {reason === "not_granted" ? (
        <>
          <p>Either this division does not exist, or your Genesys Cloud account has no access to its users.</p>
          <p>
            If you need it, ask your Genesys Cloud administrator for a role with <strong>Directory &gt; User &gt; View</strong> in that division, and
            send them the link below: it shows them why you were refused and what to change. Changes can take up to 5 minutes to apply; then reload
            this page.
          </p>
          {adminLink ? <CopyAdminLink /> : null}
        </>
      ) : isAdmin ? (
        <>
          <p>
            Tenantscope&apos;s own Genesys Cloud client is missing <code>directory:user:view</code> in <strong>{divisionName}</strong>, so no one can see
            this division here.
          </p>
          <ol>
            <li>In Genesys Cloud open Admin &gt; Integrations &gt; OAuth and select Tenantscope&apos;s client.</li>
            <li>
              On its Roles tab, give it a role that has Directory &gt; User &gt; View in the division {divisionName}.
            </li>
            <li>Changes take up to 5 minutes to apply; then reload this page.</li>
          </ol>
          {correlationId ? (
            <p className="muted">
              Genesys correlation id: <code>{correlationId}</code>
            </p>
          ) : null}
          <p>
            <Link href="/diagnostics">Open diagnostics</Link> to check every division at once.
          </p>
        </>
      ) : (
        <p>Tenantscope is not set up for {divisionName} yet. Please ask your administrator to enable it.</p>
      )}
      <p>
        <Link href="/">Back to your divisions</Link>
      </p>
    </div>
  );
}
