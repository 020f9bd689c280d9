"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { ApiError } from "@/lib/client/api";
import { useDivisionUsers, useFetchProgress, useRefreshDivision } from "@/lib/client/division-users";
import type { DivisionUsersPayload } from "@/lib/shared/api-types";
import { filterRows, readView, sortRows, viewToParams, type SortKey, type UserView } from "@/lib/shared/user-view";

import { CopyLinkButton } from "./copy-link-button";
import { IsolationBanner } from "./isolation-banner";
import { FetchProgressBar } from "./fetch-progress-bar";
import { UsersTable } from "./users-table";

const numberFormat = new Intl.NumberFormat("en");
const timeFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium" });
const SEARCH_DEBOUNCE_MS = 250;

export interface DivisionHeader {
  id: string;
  name: string;
  userCount: number | null;
}

export function DivisionView({ division, isAdmin }: { division: DivisionHeader; isAdmin: boolean }) {
  const query = useDivisionUsers(division.id);
  const progress = useFetchProgress(division.id);
  const refresh = useRefreshDivision(division.id);
  const [refreshing, setRefreshing] = useState(false);
  const [refreshError, setRefreshError] = useState<string | null>(null);

  // The view lives in the URL so that a copied link reproduces it. The search box answers at once from
  // local state; the URL follows after a short pause.
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const urlView = useMemo(() => readView(new URLSearchParams(searchParams.toString())), [searchParams]);
  const [q, setQ] = useState(urlView.q);
  const view: UserView = { ...urlView, q };
  const replaceView = useCallback(
    (next: UserView) => {
      const qs = viewToParams(next).toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [pathname, router],
  );
  useEffect(() => {
    if (q === urlView.q) return;
    const t = setTimeout(() => replaceView({ ...urlView, q }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q, urlView, replaceView]);

  const users = query.data?.users;
  const sorted = useMemo(() => (users ? sortRows(users, urlView) : []), [users, urlView]);
  const rows = useMemo(() => filterRows(sorted, { q, state: urlView.state }), [sorted, q, urlView.state]);

  // Performance marks: keystroke → table committed (read by the browser tests).
  const typedAt = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (typedAt.current === null) return;
    performance.measure("search-to-render", { start: typedAt.current, end: performance.now() });
    typedAt.current = null;
  }, [rows]);

  const onSort = (key: SortKey) => replaceView({ ...view, sort: key, desc: view.sort === key ? !view.desc : false });
  const csvHref = `/api/divisions/${division.id}/users.csv${viewToParams(view).toString() ? `?${viewToParams(view).toString()}` : ""}`;

  const onRefresh = async () => {
    setRefreshing(true);
    setRefreshError(null);
    try {
      await refresh();
    } catch (e) {
      setRefreshError(e instanceof ApiError ? e.message : "Refresh failed.");
    } finally {
      setRefreshing(false);
    }
  };

  const data = query.data;
  return (
    <>
      <header>
        <h1>{division.name}</h1>
        <VerifiedLine data={data} division={division} />
        <div className="toolbar">
          {data ? <span className="muted">Last refreshed {timeFormat.format(new Date(data.meta.fetchedAt))}</span> : null}
          {data?.cache.revalidating || (query.isFetching && data) ? <span className="badge warn">Refreshing in the background…</span> : null}
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

      {data?.cache.stale && data.cache.refreshError ? (
        <p className="banner warn" role="status">
          Genesys Cloud could not be reached just now, so this list is from {timeFormat.format(new Date(data.meta.fetchedAt))} (
          {Math.round(data.cache.ageSeconds / 60)} min old) and may be out of date.
          {isAdmin && data.cache.refreshError.correlationId ? ` Correlation id: ${data.cache.refreshError.correlationId}.` : ""}
        </p>
      ) : null}
      {data ? <IsolationBanner data={data} isAdmin={isAdmin} /> : null}

      <div className="toolbar" role="search">
        <label htmlFor="user-search">Search</label>
        <input
          id="user-search"
          type="search"
          value={q}
          placeholder="Name, email, title or department"
          onChange={(e) => {
            typedAt.current = performance.now();
            setQ(e.target.value);
          }}
        />
        <label htmlFor="state-filter">State</label>
        <select id="state-filter" value={urlView.state} onChange={(e) => replaceView({ ...view, state: e.target.value as UserView["state"] })}>
          <option value="any">Any</option>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
        {data ? (
          <span className="muted" aria-live="polite" data-testid="row-count">
            {numberFormat.format(rows.length)} of {numberFormat.format(data.users.length)} users
          </span>
        ) : null}
      </div>

      {query.error ? <FetchError error={query.error} /> : null}
      {!data && !query.error ? <FetchProgressBar progress={progress} expected={division.userCount} /> : null}
      {data ? <UsersTable rows={rows} view={view} onSort={onSort} /> : null}
    </>
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

function FetchError({ error }: { error: Error }) {
  const code = error instanceof ApiError ? error.code : "internal";
  const message =
    code === "upstream_rate_limited" || code === "upstream_unavailable" || code === "upstream_timeout"
      ? `${error.message} Your list will load once Genesys Cloud answers again.`
      : error.message;
  return (
    <p className="banner bad" role="alert">
      {message}
    </p>
  );
}
