import type { Metadata } from "next";
import { headers } from "next/headers";
import { forbidden } from "next/navigation";

import { AccessExplorer } from "@/components/access-explorer";
import { auditRefusal } from "@/lib/server/audit";
import { requirePageStaff } from "@/lib/server/auth";
import { visibleDivisions } from "@/lib/server/divisions";
import { AppError, requestIdFrom } from "@/lib/server/platform";

export const metadata: Metadata = { title: "Access explorer" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the URL, or null (a malformed one is dropped: the page then asks for a choice). */
function idParam(value: string | string[] | undefined): string | null {
  return typeof value === "string" && ID.test(value) ? value.toLowerCase() : null;
}

// Admins only, like /diagnostics: a manager (say, one who opened a link meant for their admin) gets the
// dashboard's 403 page, and the refusal is recorded with whom and which division the link named.
export default async function AccessPage({ searchParams }: { searchParams: SearchParams }) {
  const staff = await requirePageStaff();
  const raw = await searchParams;
  const person = idParam(raw.person);
  const division = idParam(raw.division);
  if (!staff.isAdmin) {
    auditRefusal("access.explain", staff, new AppError("forbidden", "Admins only."), requestIdFrom(await headers()), {
      ...(person ? { subjectId: person } : {}),
      ...(division ? { divisionId: division } : {}),
    });
    forbidden();
  }
  const divisions = (await visibleDivisions(staff)).map(({ id, name }) => ({ id, name }));
  return <AccessExplorer person={person} division={division} divisions={divisions} />;
}
