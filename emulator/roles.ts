// GET /api/v2/authorization/roles and GET /api/v2/authorization/roles/{roleId}/subjectgrants (openapi-subset.json):
// the org's roles, and who holds one role in which divisions. Both require authorization:role:view (the spec's
// x-inin-requires-permissions for each).
import { requirePermission, ok, type ApiRequest } from "./api";
import { errors, intParam, listParam, boolParam, type Reply } from "./http";
import type { EmuGrant } from "./model";
import { listing, renderRole } from "./render";
import { roleGrants, type EmulatorState } from "./state";

const byName = new Intl.Collator("en");

export function getRoles(state: EmulatorState, req: ApiRequest): Reply {
  requirePermission(state, req.subject, "authorization:role:view");
  const pageSize = intParam(req.query, "pageSize", 25, 1, 500);
  const pageNumber = intParam(req.query, "pageNumber", 1, 1, 1_000_000);
  const withCount = boolParam(req.query, "userCount", true);
  const ids = listParam(req.query, "id");
  if (ids.length > 100) throw errors.badRequest("Only 100 roles can be requested at a time.");
  // (inferred) The spec does not say how `permission` matches: here a role matches when it grants any of the
  // listed permissions, its own wildcards ("directory:*:*") included.
  const permissions = listParam(req.query, "permission");
  const name = req.query.get("name")?.toLocaleLowerCase("en");
  const roles = [...state.roles.values()]
    .filter((r) => ids.length === 0 || ids.includes(r.id))
    .filter((r) => permissions.length === 0 || permissions.some((p) => roleGrants(r, p)))
    .filter((r) => !name || r.name.toLocaleLowerCase("en").includes(name))
    .sort((a, b) => byName.compare(a.name, b.name));
  const page = listing(roles, pageNumber, pageSize, req.path, req.query);
  const holders = (roleId: string) => [...state.users.values()].filter((u) => u.grants.some((g) => g.roleId === roleId)).length;
  return ok({ ...page, entities: page.entities.map((r) => renderRole(r, withCount ? holders(r.id) : undefined)) });
}

interface SubjectGrants {
  id: string;
  name: string;
  divisions: { id: string; name: string; selfUri: string }[];
  type: "PC_USER" | "PC_OAUTH_CLIENT";
  selfUri: string;
}

export function getRoleSubjectgrants(state: EmulatorState, req: ApiRequest, [roleId]: string[]): Reply {
  requirePermission(state, req.subject, "authorization:role:view");
  const role = roleId ? state.roles.get(roleId) : undefined;
  if (!role) throw errors.notFound();
  const pageSize = intParam(req.query, "pageSize", 25, 1, 500);
  const pageNumber = intParam(req.query, "pageNumber", 1, 1, 1_000_000);
  // As GET /authorization/subjects does here, an all-divisions grant lists every division (inferred).
  const divisionsOf = (grants: readonly EmuGrant[]) => {
    const ids = new Set<string>();
    for (const g of grants) {
      if (g.roleId !== role.id) continue;
      if (g.divisionId === "*") for (const d of state.divisions.keys()) ids.add(d);
      else if (state.divisions.has(g.divisionId)) ids.add(g.divisionId);
    }
    return [...ids].map((id) => state.divisions.get(id)).filter((d) => d !== undefined).map((d) => ({ id: d.id, name: d.name, selfUri: `/api/v2/authorization/divisions/${d.id}` }));
  };
  const subjects: SubjectGrants[] = [];
  for (const u of state.users.values()) {
    // A deleted user holds nothing any more.
    if (u.state === "deleted") continue;
    const divisions = divisionsOf(u.grants);
    if (divisions.length) subjects.push({ id: u.id, name: u.name, divisions, type: "PC_USER", selfUri: `/api/v2/users/${u.id}` });
  }
  for (const c of state.clients.values()) {
    const divisions = c.authorizedGrantType === "CLIENT-CREDENTIALS" ? divisionsOf(c.roleDivisions) : [];
    if (divisions.length) subjects.push({ id: c.id, name: c.name, divisions, type: "PC_OAUTH_CLIENT", selfUri: `/api/v2/oauth/clients/${c.id}` });
  }
  subjects.sort((a, b) => byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
  return ok(listing(subjects, pageNumber, pageSize, req.path, req.query));
}
