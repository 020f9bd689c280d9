import "server-only";

import { visibleDivisions } from "@/lib/server/divisions";
import { DIRECTORY_USER_VIEW, getBffClient, GRANT_VIEW, ROLE_VIEW, roleGrants, toAppError, type Role, type Subject } from "@/lib/server/genesys";
import { AppError, getAuthEnv } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";
import type { AccessBlocked, AccessDivisionRow, AccessGrant, AccessPeople, AccessPerson, AccessPersonDetail } from "@/lib/shared/contract";

import { assertUserId, blockedOrThrow, isAllDivisions } from "./grants";
import { adminBy, tenantscopeDecision } from "./tenantscope";

// A person as the access explorer shows them: found by name or email (the BFF's users search), then every
// division of the org with whether their grants include directory:user:view there, and through which role.

const MAX_RESULTS = 25;

/** People whose name or email contains `q` (2 to 100 characters), sorted by name. */
export async function searchPeople(q: string): Promise<AccessPeople> {
  const text = q.trim();
  if (text.length < 2 || text.length > 100) throw new AppError("bad_request", "Type 2 to 100 characters of a name or email.", { details: { field: "q" } });
  try {
    const page = await getBffClient().searchUsers({
      pageSize: MAX_RESULTS,
      pageNumber: 1,
      query: [{ type: "CONTAINS", fields: ["name", "email"], values: [text] }],
      enforcePermissions: false,
    });
    const people = page.results.map((u) => ({ id: u.id, name: u.name ?? "", email: u.email ?? "" }));
    return { people: people.sort((a, b) => a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id)) };
  } catch (e) {
    throw toAppError(e);
  }
}

export interface PersonGrants {
  person: AccessPerson;
  grants: Subject["grants"] | null;
  roles: ReadonlyMap<string, Role>;
  blocked?: AccessBlocked;
}

/** The person (404 when Genesys knows no such active or inactive user), their grants and the org's roles. */
export async function readPersonGrants(userId: string): Promise<PersonGrants> {
  const id = assertUserId(userId);
  const client = getBffClient();
  let users;
  try {
    users = await client.getUsersByIds([id]);
  } catch (e) {
    throw toAppError(e);
  }
  const user = users.find((u) => u.id.toLowerCase() === id && u.state !== "deleted");
  if (!user) throw new AppError("not_found", "There is no person with this id.", { details: { field: "userId" } });
  const person = { id: user.id, name: user.name ?? "", email: user.email ?? "" };
  const [subject, roleList] = await Promise.all([
    client.getSubject(user.id).catch((e: unknown) => blockedOrThrow(e, GRANT_VIEW, "read a person's roles and divisions")),
    client.listRoles().catch((e: unknown) => blockedOrThrow(e, ROLE_VIEW, "read which roles grant Directory > User > View")),
  ]);
  const roles = new Map(Array.isArray(roleList) ? roleList.map((r) => [r.id, r]) : []);
  const blocked = "permission" in subject ? subject : !Array.isArray(roleList) ? roleList : undefined;
  if (blocked) return { person, grants: null, roles, blocked };
  return { person, grants: "grants" in subject ? subject.grants : [], roles };
}

/** The grants of theirs that give directory:user:view in this division, one per role. */
export function grantsIn(grants: Subject["grants"], roles: ReadonlyMap<string, Role>, divisionId: string): AccessGrant[] {
  const out = new Map<string, AccessGrant>();
  for (const g of grants) {
    const role = roles.get(g.role.id);
    if (!role || !roleGrants(role, DIRECTORY_USER_VIEW)) continue;
    const all = isAllDivisions(g.division?.id);
    if (!all && g.division?.id.toLowerCase() !== divisionId) continue;
    const previous = out.get(role.id);
    if (!previous || (all && previous.scope === "division")) out.set(role.id, { roleId: role.id, roleName: role.name, scope: all ? "all" : "division" });
  }
  return [...out.values()];
}

export async function describePerson(caller: StaffAccess, userId: string, lastReadAt: (userId: string) => number | null): Promise<AccessPersonDetail> {
  const [read, divisions] = await Promise.all([readPersonGrants(userId), visibleDivisions(caller)]);
  const auth = getAuthEnv();
  const tenantscope = tenantscopeDecision(auth, read.person, adminBy(auth, read.person, read.grants, read.roles), lastReadAt(read.person.id));
  if (read.blocked || !read.grants) return { person: read.person, divisions: [], tenantscope, ...(read.blocked ? { blocked: read.blocked } : {}) };
  const grants = read.grants;
  const rows: AccessDivisionRow[] = divisions.map((d) => {
    const via = grantsIn(grants, read.roles, d.id);
    return { divisionId: d.id, divisionName: d.name, canView: via.length > 0, via, readableByTenantscope: d.reachable };
  });
  rows.sort((a, b) => Number(b.canView) - Number(a.canView) || a.divisionName.localeCompare(b.divisionName, "en"));
  return { person: read.person, divisions: rows, tenantscope };
}
