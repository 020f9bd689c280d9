"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter } from "next/navigation";
import { Suspense, useEffect, useSyncExternalStore } from "react";

import { ApiError } from "@/lib/client/api";
import { primeShellDivisionUsers } from "@/lib/client/division-users";
import { currentStaffQueryOptions, divisionDetailQueryOptions } from "@/lib/client/divisions";
import { getQueryClient } from "@/lib/client/query-client";
import { divisionIdInPath } from "@/lib/shared/contract/users-wire";

import { AccessDenied } from "./access-denied";
import { DivisionView } from "./division-view";
import { NotFoundPanel } from "./not-found-panel";

// The division page as the prerendered shell serves it (app/(shell)/division-shell): the same bytes for every
// person and division, so the division comes from the address and its name from the API. The proxy serves it
// only to a person the access gate lets in; if access ends in between, the API's refusal is shown here.

// As this module loads, before hydration: the users request the shell's HTML started is read into the query
// cache while the app hydrates, so that the view's first render usually has its rows. Only in the shell's own
// document, which carries SHELL_MARKER (lib/client/division-users.ts).
if (typeof window !== "undefined") primeShellDivisionUsers(getQueryClient());

const noSubscription = () => () => {};

/**
 * False while the prerendered HTML is hydrated, true after: the HTML was made at build time, for no address,
 * so the first render in the browser must match it before the address is read.
 */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

export function DivisionShell() {
  const pathname = usePathname();
  const divisionId = useHydrated() ? divisionIdInPath(pathname) : null;
  // The prerendered HTML has this paragraph, with its marker (SHELL_MARKER): the shell's own document.
  if (!divisionId)
    return (
      <p className="muted" data-division-shell="">
        Loading division…
      </p>
    );
  // The view keeps its search and sort in the query string (useSearchParams).
  return (
    <Suspense>
      <ShellDivision key={divisionId} divisionId={divisionId} />
    </Suspense>
  );
}

function ShellDivision({ divisionId }: { divisionId: string }) {
  const detail = useQuery(divisionDetailQueryOptions(divisionId));
  const me = useQuery(currentStaffQueryOptions());
  const isAdmin = me.data?.role === "admin";
  const router = useRouter();
  const sessionEnded = detail.error instanceof ApiError && detail.error.status === 401;
  useEffect(() => {
    // As the page rendered per request does: sign in again, and come back here.
    if (sessionEnded) router.replace(`/signin?error=SessionExpired&callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }, [sessionEnded, router]);
  if (sessionEnded) return <p className="muted">Your session has ended. Taking you to sign in…</p>;
  if (detail.error instanceof ApiError && detail.error.status === 404) return <NotFoundPanel />;
  if (detail.error instanceof ApiError && detail.error.status === 403) {
    const { code, divisionName, correlationId } = detail.error.body;
    return code === "upstream_forbidden" ? (
      <AccessDenied isAdmin={isAdmin} reason="bff_not_granted" divisionName={divisionName ?? "this division"} correlationId={correlationId} />
    ) : (
      <AccessDenied isAdmin={isAdmin} reason="not_granted" adminLink />
    );
  }
  // The rows do not wait for the name: both requests are under way, and the users one began in the HTML.
  const division = detail.data?.division ?? { id: divisionId, name: "", userCount: null };
  return <DivisionView division={division} isAdmin={isAdmin} />;
}
