"use client";

import type { DivisionInfo, DivisionUsersPayload } from "@/lib/shared/contract";

import { CopyLinkButton } from "./copy-link-button";

/** What the page knows of the division before its users arrive. */
export type DivisionHeader = Pick<DivisionInfo, "id" | "name" | "userCount">;

const numberFormat = new Intl.NumberFormat("en");
const timeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });

export function DivisionViewHeader({
  division,
  data,
  isFetching,
  refreshing,
  refreshError,
  onRefresh,
  csvHref,
}: {
  division: DivisionHeader;
  data: DivisionUsersPayload | undefined;
  isFetching: boolean;
  refreshing: boolean;
  refreshError: string | null;
  onRefresh: () => Promise<void>;
  csvHref: string;
}) {
  return (
    <header>
      <h1>{division.name}</h1>
      <VerifiedLine data={data} division={division} />
      <div className="toolbar">
        {data ? <span className="muted">Last refreshed {timeFormat.format(new Date(data.meta.fetchedAt))}</span> : null}
        {data?.cache.revalidating || (isFetching && data) ? <span className="badge warn">Refreshing in the background…</span> : null}
        <button type="button" className="button" onClick={() => void onRefresh()} disabled={refreshing || !data}>
          {refreshing ? "Refreshing…" : "Refresh"}
        </button>
        <CopyLinkButton />
        <a className="button" href={csvHref} download aria-disabled={!data}>
          Export CSV
        </a>
      </div>
      {refreshError ? (
        <p className="banner warn" role="status">
          {refreshError}
        </p>
      ) : null}
    </header>
  );
}

function VerifiedLine({ data, division }: { data: DivisionUsersPayload | undefined; division: DivisionHeader }) {
  if (!data) {
    return <p className="muted">{division.userCount === null ? "Loading users…" : `${numberFormat.format(division.userCount)} users in Genesys Cloud`}</p>;
  }
  const iso = data.meta.isolation;
  const total = iso.objectCount ?? data.users.length;
  const verified = iso.mode === "search-only" ? null : iso.verified;
  const clean = iso.droppedCount === 0 && iso.countMatches && data.meta.consistent;
  return (
    <p>
      <span className={`badge ${clean ? "ok" : "warn"}`} data-testid="verified">
        {verified === null
          ? `${numberFormat.format(data.users.length)} users (not verified against the directory)`
          : `${numberFormat.format(verified)} of ${numberFormat.format(total)} users verified in ${division.name}`}
      </span>
    </p>
  );
}

/** Shown when Genesys Cloud could not be reached and the list comes from the cache. */
export function StaleListBanner({ data, isAdmin }: { data: DivisionUsersPayload | undefined; isAdmin: boolean }) {
  if (!data?.cache.stale || !data.cache.refreshError) return null;
  return (
    <p className="banner warn" role="status">
      Genesys Cloud could not be reached just now, so this list is from {timeFormat.format(new Date(data.meta.fetchedAt))} (
      {minutesSince(data.meta.fetchedAt)} min old) and may be out of date.
      {isAdmin && data.cache.refreshError.correlationId ? ` Correlation id: ${data.cache.refreshError.correlationId}.` : ""}
    </p>
  );
}

/** How old a list is, read when the banner renders (the server no longer sends an age: its bytes are fixed per version). */
function minutesSince(iso: string): number {
  return Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60_000));
}
