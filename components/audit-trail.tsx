import Link from "next/link";

import type { AuditEventDto, AuditFilterValues, AuditOutcome, AuditPageDto } from "@/lib/shared/contract";
import { AUDIT_ACTION_LABELS, AUDIT_ACTIONS, AUDIT_OUTCOMES } from "@/lib/shared/contract/audit-labels";

import { AuditIntegrityCheck } from "./audit-integrity-check";
import { TableHead } from "./table-head";

// The audit trail for admins: a plain GET form (the filters live in the URL, so a filtered view can be
// shared and works without JavaScript), the newest events first, paging to older ones, and the CSV of
// every match.

const ACTION_OPTIONS = AUDIT_ACTIONS.map((a) => [a, AUDIT_ACTION_LABELS[a]] as const);
const OUTCOME_BADGE: Record<AuditOutcome, string> = { ok: "ok", denied: "warn", error: "bad" };

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
      <AuditFilterForm filters={filters} divisions={divisions} csvHref={csvHref} />
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
        <AuditEventsTable events={page.events} />
      )}
      <AuditPager newestHref={newestHref} olderHref={olderHref} />
    </>
  );
}

function AuditFilterForm({ filters, divisions, csvHref }: { filters: AuditFilterValues; divisions: { id: string; name: string }[]; csvHref: string }) {
  return (
    <form className="panel audit-filters" method="get" action="/audit" role="search" aria-label="Filter the audit trail">
      <div className="field">
        <label htmlFor="audit-person">Person</label>
        <input id="audit-person" name="person" type="search" defaultValue={filters.person} placeholder="email, name or user id" maxLength={200} />
      </div>
      <SelectField name="division" label="Division" value={filters.division} options={divisions.map((d) => [d.id, d.name] as const)} />
      <SelectField name="action" label="Action" value={filters.action} options={ACTION_OPTIONS} />
      <SelectField name="outcome" label="Outcome" value={filters.outcome} options={AUDIT_OUTCOMES.map((o) => [o, o] as const)} />
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
  );
}

function AuditEventsTable({ events }: { events: AuditEventDto[] }) {
  return (
    <div className="grid">
      <table className="matrix audit-table">
        <caption className="sr-only">Audit events, newest first</caption>
        <TableHead columns={["When (UTC)", "Person", "Action", "Division", "Rows", "Isolation", "Outcome"]} />
        <tbody>
          {events.map((e) => (
            <AuditEventRow key={e.id} event={e} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AuditEventRow({ event: e }: { event: AuditEventDto }) {
  return (
    <tr>
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
      <td>
        {AUDIT_ACTION_LABELS[e.action]}
        {e.subjectId ? (
          <>
            <br />
            <span className="muted">about {e.subjectName || e.subjectId}</span>
          </>
        ) : null}
      </td>
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
  );
}

function AuditPager({ newestHref, olderHref }: { newestHref: string | null; olderHref: string | null }) {
  return (
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
  );
}
