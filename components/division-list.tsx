"use client";

import Link from "next/link";
import { useDeferredValue, useState } from "react";

import { useDivisions } from "@/lib/client/divisions";
import { foldText } from "@/lib/shared/user-view";

const numberFormat = new Intl.NumberFormat("en");

export function DivisionList({ isAdmin }: { isAdmin: boolean }) {
  const { data: divisions = [], error } = useDivisions();
  const [filter, setFilter] = useState("");
  const deferred = useDeferredValue(filter);
  if (error) return <p className="banner bad" role="alert">{error.message}</p>;

  if (divisions.length === 0) {
    return (
      <div className="panel" role="status">
        <h2>No divisions to show</h2>
        <p>
          Your Genesys Cloud account does not have <strong>Directory &gt; User &gt; View</strong> in any division, so there is no tenant for you to see
          here.
        </p>
        <p className="muted">Ask your Genesys Cloud administrator to give you a role with that permission in your tenant&apos;s division. Changes can take up to 5 minutes to apply.</p>
      </div>
    );
  }
  const terms = foldText(deferred).split(/\s+/).filter(Boolean);
  const shown = divisions.filter((d) => terms.every((t) => foldText(`${d.name} ${d.description}`).includes(t)));
  return (
    <>
      <div className="toolbar">
        <label htmlFor="division-filter">Filter divisions</label>
        <input id="division-filter" type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Name…" />
        <span className="muted" aria-live="polite">
          {shown.length} of {divisions.length}
        </span>
      </div>
      <ul className="division-list">
        {shown.map((d) => (
          <li key={d.id}>
            <Link href={`/divisions/${d.id}`}>
              <strong>{d.name}</strong>
              <br />
              <span className="count">{d.userCount === null ? "user count unknown" : `${numberFormat.format(d.userCount)} users`}</span>
              {!d.reachable ? (
                <>
                  <br />
                  <span className="badge bad">{isAdmin ? "Not reachable: see Diagnostics" : "Not available"}</span>
                </>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
