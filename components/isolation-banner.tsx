"use client";

import type { StreamedUsers } from "@/lib/client/division-users";
import type { DivisionUsersPayload } from "@/lib/shared/contract";

const numberFormat = new Intl.NumberFormat("en");

/**
 * While a cold fetch runs: how many of the division's users the live directory has confirmed so far (the rows
 * in the table). The isolation summary of the result replaces it.
 */
export function VerifyingBanner({ streamed, expected }: { streamed: StreamedUsers; expected: number | null }) {
  const total = streamed.expected ?? expected;
  return (
    <p className="banner" role="status" data-testid="loading-verified">
      Loading — {numberFormat.format(streamed.verified)}
      {total === null ? "" : ` of ${numberFormat.format(total)}`} verified
    </p>
  );
}

/**
 * Shown when the isolation check dropped rows or the counts disagree. Managers get neutral words and a
 * count; admins get the details (which rows, why, which divisions) to investigate.
 */
export function IsolationBanner({ data, isAdmin }: { data: DivisionUsersPayload; isAdmin: boolean }) {
  const iso = data.meta.isolation;
  const problems = iso.droppedCount > 0 || !iso.countMatches || !data.meta.consistent;
  if (!problems) return null;
  if (!isAdmin) {
    return (
      <p className="banner warn" role="status">
        {iso.droppedCount > 0 ? `${iso.droppedCount} entries that did not belong to this division were left out. ` : ""}
        {!iso.countMatches ? "The number of users may not be final yet; try Refresh in a few minutes." : ""}
      </p>
    );
  }
  return (
    <div className="banner warn" role="status">
      <strong>Isolation report:</strong> {iso.droppedCount} row(s) dropped, {iso.verified} verified, Genesys counts {iso.objectCount ?? "?"}
      {iso.addedFromDirectory ? `, ${iso.addedFromDirectory} found in the directory that search missed` : ""}.
      {iso.dropped && iso.dropped.length > 0 ? (
        <details>
          <summary>Dropped rows</summary>
          <ul>
            {iso.dropped.slice(0, 50).map((d) => (
              <li key={`${d.id}-${d.reason}`}>
                <code>{d.id}</code>: {d.reason}
                {d.searchDivisionId ? `, search said ${d.searchDivisionId}` : ""}
                {d.directoryDivisionId ? `, directory says ${d.directoryDivisionId}` : ""}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {data.meta.consistencyNotes && data.meta.consistencyNotes.length > 0 ? <p>Consistency: {data.meta.consistencyNotes.join("; ")}</p> : null}
    </div>
  );
}
