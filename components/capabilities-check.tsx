import type { CapabilityReportRow } from "@/lib/shared/contract";

import { TableHead } from "./table-head";

/** The Genesys behaviours the documentation leaves open, as this org answered the probes: one row per check. */
export function CapabilitiesTable({ reports }: { reports: readonly CapabilityReportRow[] }) {
  return (
    <table className="matrix">
      <TableHead columns={["Check", "What Genesys answered", "What Tenantscope does"]} />
      <tbody>
        {reports.map((r) => (
          <tr key={r.key} data-capability={r.key}>
            <td>
              <code>{r.key}</code>: {r.value === "unknown" ? <span className="badge warn">unknown</span> : <strong>{String(r.value)}</strong>}
              <p className="muted">
                {r.tested} ({r.calls} {r.calls === 1 ? "call" : "calls"})
              </p>
            </td>
            <td>{r.answered}</td>
            <td>{r.action}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
