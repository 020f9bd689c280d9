import type { Metadata } from "next";
import { headers } from "next/headers";

import { AdminsOnly } from "@/components/admins-only";
import { AuditTrail } from "@/components/audit-trail";
import { filtersToParams, readAuditPage } from "@/lib/server/audit";
import { requirePageStaff } from "@/lib/server/auth";
import { visibleDivisions } from "@/lib/server/divisions";
import { isAppError, requestIdFrom } from "@/lib/server/platform";

export const metadata: Metadata = { title: "Audit trail" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function toParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  return params;
}

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const staff = await requirePageStaff();
  if (!staff.isAdmin) return <AdminsOnly title="The audit trail is for administrators" hint="Ask a Tenantscope administrator if you need to know who viewed a division." />;
  const requestId = requestIdFrom(await headers());
  const divisions = (await visibleDivisions(staff)).map(({ id, name }) => ({ id, name }));
  const given = toParams(await searchParams);
  let result: ReturnType<typeof readAuditPage>;
  let error: string | undefined;
  try {
    result = readAuditPage(staff, given, requestId);
  } catch (e) {
    if (!isAppError(e) || e.code !== "bad_request") throw e;
    // Malformed filters: say which, and show the newest events unfiltered.
    error = `${e.message} Showing all events instead.`;
    result = readAuditPage(staff, new URLSearchParams(), requestId);
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
