"use client";

import { useAccessExplanation, useAccessPerson } from "@/lib/client/access";
import type { AccessDivisionRow, AccessExplanation, TenantscopeDecision } from "@/lib/shared/contract";

import { AccessBlocked, ErrorBanner } from "./access-blocked";
import { TableHead } from "./table-head";

function Tenantscope({ decision }: { decision: TenantscopeDecision }) {
  return (
    <>
      <h3>What Tenantscope decides</h3>
      <ul>
        {decision.sentences.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </>
  );
}

/** The verdict for one person and one division, the smallest fix, and what Tenantscope itself decides. */
export function AccessVerdict({ userId, divisionId }: { userId: string; divisionId: string }) {
  const { data, error } = useAccessExplanation(userId, divisionId);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p aria-busy="true">Reading their grants…</p>;
  return <VerdictPanel e={data} />;
}

function VerdictPanel({ e }: { e: AccessExplanation }) {
  return (
    <section className="panel access-section" aria-labelledby="verdict-title" data-testid="access-verdict">
      <p className={`badge ${e.canView ? "ok" : "bad"}`}>{e.canView ? "Can view" : "Cannot view"}</p>
      <h2 id="verdict-title">{e.verdict}</h2>
      {e.blocked ? <AccessBlocked blocked={e.blocked} /> : null}
      {e.fix.length > 0 ? (
        <>
          <h3>Smallest fix in Genesys Cloud</h3>
          <ol data-testid="access-fix">
            {e.fix.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
      <Tenantscope decision={e.tenantscope} />
    </section>
  );
}

/** Every division: whether the person holds Directory > User > View there, and which role gives it. */
export function AccessPerson({ userId, selected, onExplain }: { userId: string; selected: string | null; onExplain: (divisionId: string) => void }) {
  const { data, error } = useAccessPerson(userId);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p aria-busy="true">Reading their grants…</p>;
  return (
    <section className="panel access-section" aria-labelledby="person-title">
      <h2 id="person-title">
        {data.person.name || data.person.email} <span className="muted">{data.person.email}</span>
      </h2>
      {data.blocked ? <AccessBlocked blocked={data.blocked} /> : <PersonDivisions rows={data.divisions} selected={selected} onExplain={onExplain} />}
      {selected ? null : <Tenantscope decision={data.tenantscope} />}
    </section>
  );
}

function PersonDivisions({ rows, selected, onExplain }: { rows: AccessDivisionRow[]; selected: string | null; onExplain: (divisionId: string) => void }) {
  return (
    <table className="matrix">
      <caption className="sr-only">Directory &gt; User &gt; View by division</caption>
      <TableHead columns={["Division", "Directory > User > View", "Through (role and grant)", "Tenantscope's client", "Verdict"]} />
      <tbody>
        {rows.map((r) => (
          <tr key={r.divisionId} aria-current={r.divisionId === selected ? "true" : undefined}>
            <td>{r.divisionName}</td>
            <td>
              <span className={`badge ${r.canView ? "ok" : "bad"}`}>{r.canView ? "Yes" : "No"}</span>
            </td>
            <td>{r.via.length ? r.via.map((g) => `${g.roleName} in ${g.scope === "all" ? "all divisions" : r.divisionName}`).join("; ") : <span className="muted">none</span>}</td>
            <td>{r.readableByTenantscope ? "can read" : <span className="badge bad">cannot read</span>}</td>
            <td>
              <button type="button" className="button" onClick={() => onExplain(r.divisionId)} aria-label={`Explain ${r.divisionName}`}>
                Explain
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
