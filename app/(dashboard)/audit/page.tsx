import type { Metadata } from "next";
import { headers } from "next/headers";
import { forbidden } from "next/navigation";

import { AuditTrail } from "@/components/audit-trail";
import { auditRefusal, filtersToParams, readAuditPage } from "@/lib/server/audit";
import { requirePageStaff } from "@/lib/server/auth";
import { visibleDivisions } from "@/lib/server/divisions";
import { AppError, isAppError, requestIdFrom } from "@/lib/server/platform";

export const metadata: Metadata = { title: "Audit trail" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function toParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  return params;
}

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const staff = await requirePageStaff();
  const requestId = requestIdFrom(await headers());
  if (!staff.isAdmin) {
    // Answered 403 (app/(dashboard)/forbidden.tsx) and recorded like the API's refusal.
    void auditRefusal("audit.view", staff, new AppError("forbidden", "Admins only."), requestId);
    forbidden();
  }
  const divisions = (await visibleDivisions(staff)).map(({ id, name }) => ({ id, name }));
  const given = toParams(await searchParams);
  let result: Awaited<ReturnType<typeof readAuditPage>>;
  let error: string | undefined;
  try {
    result = await readAuditPage(staff, given, requestId);
  } catch (e) {
    if (!isAppError(e) || e.code !== "bad_request") throw e;
    // Malformed filters: say which, and show the newest events unfiltered.
    error = `${e.message} Showing all events instead.`;
    result = await readAuditPage(staff, new URLSearchParams(), requestId);
  }
  const { page, filters } = result;
  const filtered = filtersToParams(filters).toString();
  return (
    <AuditTrail
      page={page}
      filters={filters}
      divisions={divisions}
      csvHref={`/api/audit.csv${filtered ? `?${filtered}` : ""}`}
      olderHref={page.nextBefore !== null ? `/audit?${filtersToParams(filters, { before: String(page.nextBefore) }).toString()}` : null}
      newestHref={given.has("before") ? `/audit${filtered ? `?${filtered}` : ""}` : null}
      {...(error ? { error } : {})}
    />
  );
}
