"use client";

import { accessReviewCsvHref, useAccessDivision } from "@/lib/client/access";
import type { AccessAdmin, AccessViewer } from "@/lib/shared/contract";

import { AccessBlocked, ErrorBanner } from "./access-blocked";
import { TableHead } from "./table-head";

const TYPE_LABELS: Record<AccessViewer["type"], string> = { user: "Person", group: "Group", client: "OAuth client", other: "Other" };
const ADMIN_BY: Record<AccessAdmin["by"], string> = { email: "TENANTSCOPE_ADMIN_EMAILS", userId: "TENANTSCOPE_ADMIN_USER_IDS", permission: "TENANTSCOPE_ADMIN_PERMISSION" };

/** Who can see this tenant: every grant of Directory > User > View in it, plus Tenantscope's admins; CSV for the client's review. */
export function AccessDivision({ divisionId, onPerson }: { divisionId: string; onPerson: (userId: string) => void }) {
  const { data, error } = useAccessDivision(divisionId);
  if (error) return <ErrorBanner error={error} />;
  if (!data) return <p aria-busy="true">Reading who holds which role…</p>;
  return (
    <section className="panel access-section" aria-labelledby="division-title">
      <h2 id="division-title">Who can see {data.division.name}</h2>
      {data.division.readableByTenantscope ? null : <p className="banner bad">Tenantscope&apos;s own client cannot read this division: nobody sees it in Tenantscope until that is fixed.</p>}
      {data.blocked ? (
        <AccessBlocked blocked={data.blocked} />
      ) : (
        <>
          <div className="toolbar">
            <a className="button" href={accessReviewCsvHref(divisionId)} download>
              Download CSV
            </a>
            <span className="muted">
              {data.viewers.length} grant{data.viewers.length === 1 ? "" : "s"}, read at {new Date(data.readAt).toLocaleTimeString("en")}
            </span>
          </div>
          <ViewersTable viewers={data.viewers} onPerson={onPerson} />
        </>
      )}
      <h3>Tenantscope administrators</h3>
      <p className="muted">They see every division Tenantscope&apos;s own client can read, whatever their grants.</p>
      <ul>
        {data.admins.map((a) => (
          <li key={`${a.by}-${a.id ?? a.email ?? ""}`}>
            {a.name ? `${a.name} ` : ""}
            {a.email ?? <code>{a.id}</code>} <span className="muted">({ADMIN_BY[a.by]})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ViewersTable({ viewers, onPerson }: { viewers: AccessViewer[]; onPerson: (userId: string) => void }) {
  if (viewers.length === 0) return <p>Nobody holds Directory &gt; User &gt; View in this division.</p>;
  return (
    <table className="matrix">
      <caption className="sr-only">Grants of Directory &gt; User &gt; View in this division</caption>
      <TableHead columns={["Name", "Email", "Type", "Granting role", "Granted in"]} />
      <tbody>
        {viewers.map((v) => (
          <tr key={`${v.subjectId}-${v.roleId}`}>
            <td>
              {v.type === "user" ? (
                <button type="button" className="link-button" onClick={() => onPerson(v.subjectId)}>
                  {v.name || v.subjectId}
                </button>
              ) : (
                v.name || v.subjectId
              )}
            </td>
            <td>{v.email ?? <span className="muted">–</span>}</td>
            <td>{TYPE_LABELS[v.type]}</td>
            <td>{v.roleName}</td>
            <td>{v.scope === "all" ? "All divisions" : "This division"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
