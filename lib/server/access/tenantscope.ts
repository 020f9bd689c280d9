import "server-only";

import { roleGrants, type Role, type Subject } from "@/lib/server/genesys";
import type { AuthEnv } from "@/lib/server/platform";
import type { AccessPerson, TenantscopeDecision } from "@/lib/shared/contract";

import { VIEW_LABEL } from "./grants";

// What Tenantscope itself decides about a person, beside their Genesys grants: admin by configuration
// (emails, user ids, or a Genesys permission), manager by grants, and when it will read those grants again.

const SETTING = { email: "TENANTSCOPE_ADMIN_EMAILS", userId: "TENANTSCOPE_ADMIN_USER_IDS", permission: "TENANTSCOPE_ADMIN_PERMISSION" } as const;

export function adminBy(auth: AuthEnv, person: AccessPerson, grants: Subject["grants"] | null, roles: ReadonlyMap<string, Role>): TenantscopeDecision["adminBy"] {
  const by: TenantscopeDecision["adminBy"] = [];
  if (person.email && auth.adminEmails.includes(person.email.toLowerCase())) by.push("email");
  if (auth.adminUserIds.includes(person.id.toLowerCase())) by.push("userId");
  const permission = auth.adminPermission;
  if (permission && grants?.some((g) => roleGrants(roles.get(g.role.id) ?? { permissions: [] }, permission))) by.push("permission");
  return by;
}

/** `lastReadAt`: when this instance last read the person's grants (epoch ms), null when it holds none. */
export function tenantscopeDecision(auth: AuthEnv, person: AccessPerson, by: TenantscopeDecision["adminBy"], lastReadAt: number | null): TenantscopeDecision {
  const seconds = auth.divisionsRefreshSeconds;
  const isAdmin = by.length > 0;
  const who = person.name || person.email;
  const role = isAdmin
    ? `Tenantscope treats ${who} as an administrator (${by.map((b) => SETTING[b]).join(", ")}): they see every division Tenantscope's own client can read, whatever their Genesys grants.`
    : `Tenantscope treats ${who} as a manager: they see exactly the divisions where their Genesys grants include ${VIEW_LABEL}, read with their own sign-in.`;
  const nextRead = lastReadAt === null ? null : lastReadAt + seconds * 1000;
  const reread =
    lastReadAt === null || nextRead === null
      ? `This instance holds no grants of theirs: it reads them from Genesys at their next request (and then at most every ${seconds} s, STAFF_DIVISIONS_REFRESH_SECONDS).`
      : `This instance last read their grants at ${new Date(lastReadAt).toISOString()}; a refusal they saw since reflects those grants, and their first request after ${new Date(nextRead).toISOString()} reads them again (STAFF_DIVISIONS_REFRESH_SECONDS = ${seconds}).`;
  return {
    isAdmin,
    adminBy: by,
    refreshSeconds: seconds,
    lastReadAt: lastReadAt === null ? null : new Date(lastReadAt).toISOString(),
    nextReadAfter: nextRead === null ? null : new Date(nextRead).toISOString(),
    sentences: [role, reread],
  };
}
