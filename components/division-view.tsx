"use client";

import { useMemo } from "react";

import { ApiError } from "@/lib/client/api";
import { useDivisionUsers, useFetchProgress, useStreamedUsers } from "@/lib/client/division-users";
import { filterRows, sortRows, viewToParams, type SortKey, type UserView } from "@/lib/shared/user-view";

import { DivisionViewHeader, StaleListBanner, type DivisionHeader } from "./division-view-header";
import { useDivisionRefresh, useSearchToRenderMeasure, useUrlUserView } from "./division-view-hooks";
import { FetchProgressBar } from "./fetch-progress-bar";
import { IsolationBanner, VerifyingBanner } from "./isolation-banner";
import { UsersTable } from "./users-table";

const numberFormat = new Intl.NumberFormat("en");

export function DivisionView({ division, isAdmin }: { division: DivisionHeader; isAdmin: boolean }) {
  const query = useDivisionUsers(division.id);
  const progress = useFetchProgress(division.id);
  // Until the result comes, the rows confirmed so far: the table sorts and filters them like the result,
  // which replaces them (a refresh keeps showing the list it replaces instead).
  const streamed = useStreamedUsers(division.id);
  const loading = !query.data && !query.error ? streamed : null;
  const { refreshing, refreshError, onRefresh } = useDivisionRefresh(division.id);
  const { urlView, q, setQ, view, replaceView } = useUrlUserView();

  const users = query.data?.users ?? loading?.users;
  const sorted = useMemo(() => (users ? sortRows(users, urlView) : []), [users, urlView]);
  const rows = useMemo(() => filterRows(sorted, { q, state: urlView.state }), [sorted, q, urlView.state]);
  const markTyped = useSearchToRenderMeasure(rows);

  const onSort = (key: SortKey) => replaceView({ ...view, sort: key, desc: view.sort === key ? !view.desc : false });
  const csvHref = `/api/divisions/${division.id}/users.csv${viewToParams(view).toString() ? `?${viewToParams(view).toString()}` : ""}`;

  const data = query.data;
  return (
    <>
      <DivisionViewHeader
        division={division}
        data={data}
        isFetching={query.isFetching}
        refreshing={refreshing}
        refreshError={refreshError}
        onRefresh={onRefresh}
        csvHref={csvHref}
      />

      <StaleListBanner data={data} isAdmin={isAdmin} />
      {data ? <IsolationBanner data={data} isAdmin={isAdmin} /> : null}
      {loading ? <VerifyingBanner streamed={loading} expected={division.userCount} /> : null}

      <UserSearchToolbar
        q={q}
        state={urlView.state}
        shownCount={rows.length}
        totalCount={users ? users.length : null}
        onSearch={(text) => {
          markTyped();
          setQ(text);
        }}
        onStateChange={(state) => replaceView({ ...view, state })}
      />

      {query.error ? <FetchError error={query.error} /> : null}
      {!data && !query.error ? <FetchProgressBar progress={progress} expected={division.userCount} /> : null}
      {users ? <UsersTable rows={rows} view={view} onSort={onSort} /> : null}
    </>
  );
}

function UserSearchToolbar({
  q,
  state,
  shownCount,
  totalCount,
  onSearch,
  onStateChange,
}: {
  q: string;
  state: UserView["state"];
  shownCount: number;
  /** null until the list has loaded. */
  totalCount: number | null;
  onSearch: (text: string) => void;
  onStateChange: (state: UserView["state"]) => void;
}) {
  return (
    <div className="toolbar" role="search">
      <label htmlFor="user-search">Search</label>
      <input id="user-search" type="search" value={q} placeholder="Name, email, title or department" onChange={(e) => onSearch(e.target.value)} />
      <label htmlFor="state-filter">State</label>
      <select id="state-filter" value={state} onChange={(e) => onStateChange(e.target.value as UserView["state"])}>
        <option value="any">Any</option>
        <option value="active">Active</option>
        <option value="inactive">Inactive</option>
      </select>
      {totalCount !== null ? (
        <span className="muted" aria-live="polite" data-testid="row-count">
          {numberFormat.format(shownCount)} of {numberFormat.format(totalCount)} users
        </span>
      ) : null}
    </div>
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
