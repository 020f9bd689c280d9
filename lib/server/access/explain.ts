import "server-only";

import { assertDivisionId, visibleDivisions } from "@/lib/server/divisions";
import { DIRECTORY_USER_VIEW, roleGrants, type Role, type Subject } from "@/lib/server/genesys";
import { AppError, getAuthEnv } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";
import type { AccessExplanation, AccessGrant, AccessPerson } from "@/lib/shared/contract";

import { smallestViewerRole, VIEW_LABEL } from "./grants";
import { grantsIn, readPersonGrants } from "./people";
import { adminBy, tenantscopeDecision } from "./tenantscope";

// One person and one division: a verdict in one sentence and the smallest change in Genesys that would
// make it true, worked out from their grants and the org's roles as Genesys answers them now.

function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
}

export function verdictOf(person: AccessPerson, divisionName: string, via: readonly AccessGrant[], isAdmin: boolean): string {
  const who = person.name || person.email;
  if (via.length > 0) {
    const roles = via.map((g) => `${g.roleName}${g.scope === "all" ? " (all divisions)" : ""}`);
    return `${who} can view ${divisionName}: their ${listed(roles)} role${via.length > 1 ? "s grant" : " grants"} ${VIEW_LABEL} in ${divisionName}.`;
  }
  if (isAdmin) return `${who} can view ${divisionName} in Tenantscope as an administrator, although none of their roles grants ${VIEW_LABEL} in ${divisionName}.`;
  return `${who} cannot view ${divisionName}: none of their roles grants ${VIEW_LABEL} in ${divisionName}.`;
}

/** The smallest change in Genesys terms: widen a grant they already have, else give them the narrowest viewer role. */
export function fixOf(person: AccessPerson, divisionName: string, grants: Subject["grants"], roles: ReadonlyMap<string, Role>, refreshSeconds: number): string[] {
  const who = person.name || person.email;
  const held = [...new Map(grants.map((g) => roles.get(g.role.id)).filter((r): r is Role => r !== undefined && roleGrants(r, DIRECTORY_USER_VIEW)).map((r) => [r.id, r])).values()];
  const first = held[0];
  const suggested = smallestViewerRole([...roles.values()]);
  const change = first
    ? `Add ${divisionName} to the divisions of their ${first.name} grant (Genesys Cloud: Admin > People > ${who} > Roles > ${first.name} > Divisions).`
    : suggested
      ? `Give them the ${suggested.name} role in ${divisionName} (Genesys Cloud: Admin > People > ${who} > Roles: add ${suggested.name}, then choose the division ${divisionName}).`
      : `Create a role with ${VIEW_LABEL} (Admin > Roles / Permissions) and give it to them in ${divisionName}.`;
  return [change, `Role changes can take up to 5 minutes to apply in Genesys; Tenantscope picks them up at their first request after its refresh window (${refreshSeconds} s).`];
}

export async function explainAccess(caller: StaffAccess, userId: string, divisionId: string, lastReadAt: (userId: string) => number | null): Promise<AccessExplanation> {
  assertDivisionId(divisionId);
  const id = divisionId.toLowerCase();
  const [read, divisions] = await Promise.all([readPersonGrants(userId), visibleDivisions(caller)]);
  const division = divisions.find((d) => d.id === id);
  if (!division) throw new AppError("not_found", "There is no division with this id.", { details: { divisionId: id } });
  const auth = getAuthEnv();
  const by = adminBy(auth, read.person, read.grants, read.roles);
  const tenantscope = tenantscopeDecision(auth, read.person, by, lastReadAt(read.person.id));
  const base = { person: read.person, division: { id: division.id, name: division.name }, tenantscope };
  if (read.blocked || !read.grants) {
    const verdict = `Tenantscope cannot tell whether ${read.person.name || read.person.email} can view ${division.name}: its own Genesys Cloud client may not read their grants.`;
    return { ...base, canView: by.length > 0, verdict, fix: [], via: [], ...(read.blocked ? { blocked: read.blocked } : {}) };
  }
  const via = grantsIn(read.grants, read.roles, division.id);
  const canView = via.length > 0 || by.length > 0;
  const fix = canView ? [] : fixOf(read.person, division.name, read.grants, read.roles, auth.divisionsRefreshSeconds);
  if (!division.reachable) {
    const bff = `Tenantscope's own client lacks ${DIRECTORY_USER_VIEW} in ${division.name}, so nobody sees it in Tenantscope until that is fixed (see /diagnostics).`;
    tenantscope.sentences.push(bff);
    if (!canView) fix.push(bff);
  }
  return { ...base, canView, verdict: verdictOf(read.person, division.name, via, by.length > 0), fix, via };
}
