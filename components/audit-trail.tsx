import Link from "next/link";

import type { AuditEventDto, AuditFilterValues, AuditPageDto } from "@/lib/shared/api-types";

import { AuditIntegrityCheck } from "./audit-integrity-check";

// The audit trail for admins: a plain GET form (the filters live in the URL, so a filtered view can be
// shared and works without JavaScript), the newest events first, paging to older ones, and the CSV of
// every match.

const ACTIONS: Record<string, string> = {
  "division.view": "Viewed division",
  "division.export": "Exported CSV",
  "diagnostics.run": "Ran diagnostics",
  "diagnostics.test-division": "Tested a division",
  "audit.view": "Read audit trail",
  "audit.export": "Exported audit trail",
  "audit.verify": "Checked audit integrity",
};

const OUTCOME_BADGE = { ok: "ok", denied: "warn", error: "bad" } as const;
const OUTCOMES = Object.keys(OUTCOME_BADGE);

function SelectField({ name, label, value, options }: { name: string; label: string; value: string; options: readonly (readonly [string, string])[] }) {
  return (
    <div className="field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <select id={`audit-${name}`} name={name} defaultValue={value}>
        <option value="">Any</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function when(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 19)}`;
}

function Isolation({ iso }: { iso: AuditEventDto["isolation"] }) {
  if (!iso) return <span className="muted">–</span>;
  const clean = iso.dropped === 0 && iso.countMatches && iso.consistent;
  return (
    <span title={`checked ${iso.checked}, verified ${iso.verified}, dropped ${iso.dropped}, count ${iso.countMatches ? "matches" : "differs"}`}>
      <span className={`badge ${clean ? "ok" : "warn"}`}>{clean ? "clean" : "check"}</span> {iso.verified}/{iso.checked}
      {iso.dropped > 0 ? `, ${iso.dropped} dropped` : ""}
    </span>
  );
}

export function AuditTrail({
  page,
  filters,
  divisions,
  csvHref,
  olderHref,
  newestHref,
  error,
}: {
  page: AuditPageDto;
  filters: AuditFilterValues;
  divisions: { id: string; name: string }[];
  csvHref: string;
  olderHref: string | null;
  newestHref: string | null;
  error?: string;
}) {
  return (
    <>
      <h1>Audit trail</h1>
      <p className="muted">Every view, export and diagnostics run, newest first. Times are UTC.</p>
      <form className="panel audit-filters" method="get" action="/audit" role="search" aria-label="Filter the audit trail">
        <div className="field">
          <label htmlFor="audit-person">Person</label>
          <input id="audit-person" name="person" type="search" defaultValue={filters.person} placeholder="email, name or user id" maxLength={200} />
        </div>
        <SelectField name="division" label="Division" value={filters.division} options={divisions.map((d) => [d.id, d.name] as const)} />
        <SelectField name="action" label="Action" value={filters.action} options={Object.entries(ACTIONS)} />
        <SelectField name="outcome" label="Outcome" value={filters.outcome} options={OUTCOMES.map((o) => [o, o] as const)} />
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={filters.from} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" name="to" type="date" defaultValue={filters.to} />
        </div>
        <div className="audit-actions">
          <button type="submit" className="button primary">
            Apply
          </button>
          <Link href="/audit" className="button">
            Clear
          </Link>
          <a href={csvHref} className="button" download>
            Download CSV
          </a>
        </div>
      </form>
      {error ? (
        <p className="banner bad" role="alert">
          {error}
        </p>
      ) : null}
      <AuditIntegrityCheck />
      {page.events.length === 0 ? (
        <p className="panel" role="status">
          No events match these filters.
        </p>
      ) : (
        <div className="grid">
          <table className="matrix audit-table">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Person</th>
                <th scope="col">Action</th>
                <th scope="col">Division</th>
                <th scope="col">Rows</th>
                <th scope="col">Isolation</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e) => (
                <tr key={e.id}>
                  <td>
                    <time dateTime={e.at}>{when(e.at)}</time>
                  </td>
                  <td>
                    {e.actor ? (
                      <>
                        {e.actor.name || e.actor.email}
                        <br />
                        <span className="muted">
                          {e.actor.email} · {e.actor.role}
                        </span>
                      </>
                    ) : (
                      <span className="muted">signed out</span>
                    )}
                  </td>
                  <td>{ACTIONS[e.action] ?? e.action}</td>
                  <td>{e.divisionName ?? (e.divisionId ? <code>{e.divisionId}</code> : <span className="muted">–</span>)}</td>
                  <td>{e.rows ?? <span className="muted">–</span>}</td>
                  <td>
                    <Isolation iso={e.isolation} />
                  </td>
                  <td>
                    <span className={`badge ${OUTCOME_BADGE[e.outcome]}`}>{e.outcome}</span>
                    {e.code ? (
                      <>
                        {" "}
                        <code>{e.code}</code>
                      </>
                    ) : null}
                    {e.requestId ? (
                      <>
                        <br />
                        <span className="muted" title={`request ${e.requestId}`}>
                          req {e.requestId.slice(0, 8)}
                        </span>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="toolbar" aria-label="Audit trail pages">
        {newestHref ? (
          <Link href={newestHref} className="button">
            ← Newest
          </Link>
        ) : null}
        {olderHref ? (
          <Link href={olderHref} className="button">
            Older →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
