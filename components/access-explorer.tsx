"use client";

import { usePathname, useRouter } from "next/navigation";
import { useCallback } from "react";

import { AccessDivision } from "./access-division";
import { AccessPerson, AccessVerdict } from "./access-person";
import { AccessSearch } from "./access-search";

// /access: the person and the division live in the URL (?person=&division=), so a link from a refused
// manager's page opens straight on the verdict, and the back button walks the admin's steps.

export interface AccessExplorerProps {
  person: string | null;
  division: string | null;
  divisions: { id: string; name: string }[];
}

export function AccessExplorer({ person, division, divisions }: AccessExplorerProps) {
  const router = useRouter();
  const pathname = usePathname();
  const go = useCallback(
    (next: { person: string | null; division: string | null }) => {
      const params = new URLSearchParams();
      if (next.person) params.set("person", next.person);
      if (next.division) params.set("division", next.division);
      const qs = params.toString();
      router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  return (
    <>
      <h1>Access explorer</h1>
      <p className="muted">
        Why a person can or cannot see a tenant, and who can. Read live from Genesys Cloud with Tenantscope&apos;s own client; every explanation and export is on the audit trail.
      </p>
      <div className="access-pickers">
        <AccessSearch onPick={(id) => go({ person: id, division })} />
        <section className="panel" aria-labelledby="access-division-pick">
          <h2 id="access-division-pick">Pick a division</h2>
          <label htmlFor="access-division">Division</label>{" "}
          <select id="access-division" value={division ?? ""} onChange={(e) => go({ person, division: e.target.value || null })}>
            <option value="">(none)</option>
            {divisions.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {person && division ? (
            <p>
              <button type="button" className="link-button" onClick={() => go({ person: null, division })}>
                Who can see this division?
              </button>
            </p>
          ) : null}
        </section>
      </div>
      {person && division ? <AccessVerdict userId={person} divisionId={division} /> : null}
      {person ? <AccessPerson userId={person} selected={division} onExplain={(id) => go({ person, division: id })} /> : null}
      {!person && division ? <AccessDivision divisionId={division} onPerson={(id) => go({ person: id, division })} /> : null}
      {!person && !division ? <p className="muted">Find a person, or pick a division to see who can view it.</p> : null}
    </>
  );
}
