"use client";

import { useAuditIntegrityCheck } from "@/lib/client/audit";

const numberFormat = new Intl.NumberFormat("en");

// Proves to an auditor that no stored event was changed or removed out of order since it was written.
export function AuditIntegrityCheck() {
  const check = useAuditIntegrityCheck();
  return (
    <div className="toolbar" aria-live="polite">
      <button type="button" className="button" onClick={() => check.mutate()} disabled={check.isPending}>
        {check.isPending ? "Checking…" : "Check integrity"}
      </button>
      {check.data?.ok ? <span className="badge ok">Intact: {numberFormat.format(check.data.checked)} events, hash chain unbroken</span> : null}
      {check.data && !check.data.ok ? (
        <span className="badge bad">
          Broken at event #{check.data.brokenAt}: {numberFormat.format(check.data.checked)} events before it are intact
        </span>
      ) : null}
      {check.error ? <span className="badge bad">{check.error.message}</span> : null}
    </div>
  );
}
