import "server-only";

import { assertDivisionId, visibleDivisions } from "@/lib/server/divisions";
import { getBffClient, ROLE_VIEW, roleGrants, toAppError, type GenesysClient, type Role, type SubjectGrants } from "@/lib/server/genesys";
import { AppError, getAuthEnv, type AuthEnv } from "@/lib/server/platform";
import type { StaffAccess } from "@/lib/server/staff";
import type { AccessAdmin, AccessDivisionViewers, AccessViewer } from "@/lib/shared/contract";

import { blockedOrThrow, isAllDivisions, viewerRoles } from "./grants";

// Who can see one tenant: every subject whose grants include directory:user:view in the division, read per
// role (the org's roles, then each viewer role's subject grants: one call per role, not one per person),
// plus Tenantscope's configured admins, who see every division the BFF can read.

const TYPES: Record<string, AccessViewer["type"]> = { PC_USER: "user", PC_TRUSTEE_USER: "user", PC_GROUP: "group", PC_TRUSTEE_GROUP: "group", PC_OAUTH_CLIENT: "client" };

function holdsIn(subject: SubjectGrants, divisionId: string): "division" | "all" | null {
  if (subject.divisions.length === 0) return null;
  if (subject.divisions.some((d) => isAllDivisions(d.id))) return "all";
  return subject.divisions.some((d) => d.id.toLowerCase() === divisionId) ? "division" : null;
}

/** Emails of these users, 100 ids per call (GET /api/v2/users?id=…). */
async function emailsOf(client: GenesysClient, ids: readonly string[]): Promise<Map<string, { name: string; email: string }>> {
  const out = new Map<string, { name: string; email: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 100) {
    for (const u of await client.getUsersByIds(unique.slice(i, i + 100))) out.set(u.id, { name: u.name ?? "", email: u.email ?? "" });
  }
  return out;
}

async function adminsOf(client: GenesysClient, auth: AuthEnv, roles: readonly Role[]): Promise<AccessAdmin[]> {
  const admins: AccessAdmin[] = auth.adminEmails.map((email) => ({ email, by: "email" as const }));
  const byId: AccessAdmin[] = auth.adminUserIds.map((id) => ({ id, by: "userId" as const }));
  const permission = auth.adminPermission;
  if (permission) {
    const granting = roles.filter((r) => roleGrants(r, permission));
    const holders = (await Promise.all(granting.map((r) => client.roleSubjectGrants(r.id)))).flat().filter((s) => TYPES[s.type ?? ""] === "user");
    for (const s of new Map(holders.map((h) => [h.id, h])).values()) byId.push({ id: s.id, ...(s.name ? { name: s.name } : {}), by: "permission" });
  }
  const known = await emailsOf(client, byId.map((a) => a.id ?? "").filter((id) => /^[0-9a-f-]{36}$/i.test(id)));
  for (const a of byId) {
    const u = a.id ? known.get(a.id) : undefined;
    admins.push(u ? { ...a, name: a.name ?? u.name, email: u.email } : a);
  }
  return admins;
}

export async function divisionViewers(caller: StaffAccess, divisionId: string): Promise<AccessDivisionViewers> {
  assertDivisionId(divisionId);
  const id = divisionId.toLowerCase();
  const division = (await visibleDivisions(caller)).find((d) => d.id === id);
  if (!division) throw new AppError("not_found", "There is no division with this id.", { details: { divisionId: id } });
  const client = getBffClient();
  const head = { division: { id: division.id, name: division.name, readableByTenantscope: division.reachable }, readAt: new Date().toISOString() };
  const auth = getAuthEnv();
  let roles: Role[];
  try {
    roles = await client.listRoles();
  } catch (e) {
    const blocked = blockedOrThrow(e, ROLE_VIEW, "read which roles grant Directory > User > View, and who holds them");
    return { ...head, viewers: [], admins: [...auth.adminEmails.map((email): AccessAdmin => ({ email, by: "email" })), ...auth.adminUserIds.map((uid): AccessAdmin => ({ id: uid, by: "userId" }))], blocked };
  }
  try {
    const viewers: AccessViewer[] = [];
    const perRole = await Promise.all(viewerRoles(roles).map(async (role) => ({ role, subjects: await client.roleSubjectGrants(role.id) })));
    for (const { role, subjects } of perRole) {
      for (const s of subjects) {
        const scope = holdsIn(s, id);
        if (scope) viewers.push({ subjectId: s.id, name: s.name ?? "", type: TYPES[s.type ?? "PC_USER"] ?? "other", roleId: role.id, roleName: role.name, scope });
      }
    }
    const emails = await emailsOf(client, viewers.filter((v) => v.type === "user").map((v) => v.subjectId));
    const withEmail = viewers.map((v) => {
      const email = emails.get(v.subjectId)?.email;
      return email ? { ...v, email } : v;
    });
    withEmail.sort((a, b) => a.name.localeCompare(b.name, "en") || a.subjectId.localeCompare(b.subjectId) || a.roleName.localeCompare(b.roleName, "en"));
    return { ...head, viewers: withEmail, admins: await adminsOf(client, auth, roles) };
  } catch (e) {
    throw toAppError(e);
  }
}
